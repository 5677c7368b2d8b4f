import { usageError } from '../errors/harness-error';

/** `30s`, `1m`, `1m30s`, `500ms`, `2h` → milliseconds; a bare number is seconds. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = t;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw usageError('BAD_FLAG', `${flag} ${text} is not a duration`, `write e.g. ${flag} 30s, 500ms, 1m30s`);
    total += Number(m[1]) * (units[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  if (total <= 0) throw usageError('BAD_FLAG', `${flag} ${text} must be more than zero`, `write e.g. ${flag} 30s`);
  return Math.round(total);
}

/** `1000/s`, `1000`, `60/m` → requests per second. */
export function parseRate(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw usageError('BAD_FLAG', `${flag} ${text} is not a rate`, `write e.g. ${flag} 1000/s or ${flag} 1000`);
  return m[2] === 'm' ? Number(m[1]) / 60 : Number(m[1]);
}

/** `1KB`, `512B`, `1MB`, `1024` → bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+)\s*(B|KB|KiB|MB|MiB)?$/i.exec(text.trim());
  if (!m) throw usageError('BAD_FLAG', `${flag} ${text} is not a size`, `write e.g. ${flag} 1KB`);
  const unit = (m[2] ?? 'B').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(m[1]) * factor;
}

export function parsePositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw usageError('BAD_FLAG', `${flag} ${text} is not a positive whole number`, `write e.g. ${flag} 16`);
  return n;
}
