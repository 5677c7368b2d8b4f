/** A k6 threshold key: `metric` or `metric{tag:value,…}` (a submetric). */
export interface ThresholdKey {
  metric: string;
  tags: Record<string, string>;
}

const KEY = /^([a-zA-Z_][a-zA-Z0-9_]*)(?:\{([^{}]*)\})?$/;

/** The key, or what is wrong with it. */
export function parseThresholdKey(key: string): ThresholdKey | string {
  const m = KEY.exec(key.trim());
  if (!m) return `'${key}' is not a k6 threshold key (metric or metric{tag:value})`;
  const tags: Record<string, string> = {};
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const at = part.indexOf(':');
      const name = part.slice(0, at).trim();
      const value = part.slice(at + 1).trim();
      if (at < 1 || !value) return `'${key}': '${part}' is not tag:value`;
      tags[name] = value;
    }
  }
  return { metric: m[1] as string, tags };
}

/** The expression of a threshold as k6 takes it: a string or `{ threshold, abortOnFail, … }`. */
export function thresholdSource(t: unknown): string | undefined {
  if (typeof t === 'string') return t;
  if (typeof t === 'object' && t !== null && typeof (t as { threshold?: unknown }).threshold === 'string')
    return (t as { threshold: string }).threshold;
  return undefined;
}
