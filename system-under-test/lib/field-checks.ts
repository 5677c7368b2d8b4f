/**
 * Checks of JSON request fields that return a problem sentence instead of throwing, so a handler answers 400 with
 * exactly what is wrong.
 */
export type Check<T> = { ok: true; value: T } | { ok: false; problem: string };

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optionalString(body: Record<string, unknown>, name: string): Check<string | undefined> {
  const v = body[name];
  if (v === undefined) return { ok: true, value: undefined };
  if (typeof v !== 'string' || v === '') return { ok: false, problem: `${name} must be a non-empty string` };
  return { ok: true, value: v };
}

export function integerIn(body: Record<string, unknown>, name: string, min: number, max: number, fallback?: number): Check<number> {
  const v = body[name];
  if (v === undefined && fallback !== undefined) return { ok: true, value: fallback };
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    return { ok: false, problem: `${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})` };
  }
  return { ok: true, value: v };
}

export function optionalIntegerIn(body: Record<string, unknown>, name: string, min: number, max: number): Check<number | undefined> {
  return body[name] === undefined ? { ok: true, value: undefined } : integerIn(body, name, min, max);
}

export function optionalNumberIn(body: Record<string, unknown>, name: string, min: number, max: number): Check<number | undefined> {
  const v = body[name];
  if (v === undefined) return { ok: true, value: undefined };
  if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max) {
    return { ok: false, problem: `${name} must be a number from ${min} to ${max} (got ${JSON.stringify(v)})` };
  }
  return { ok: true, value: v };
}

export type Values<T extends Record<string, Check<unknown>>> = { [K in keyof T]: T[K] extends Check<infer V> ? V : never };

/** All the checked values, or the first problem. */
export function collect<T extends Record<string, Check<unknown>>>(
  checks: T,
): { ok: true; values: Values<T> } | { ok: false; problem: string } {
  const values: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(checks)) {
    if (!check.ok) return { ok: false, problem: check.problem };
    values[name] = check.value;
  }
  return { ok: true, values: values as Values<T> };
}
