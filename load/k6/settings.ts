// Settings shared by the k6 scripts: every target and knob comes from __ENV and is checked once, at init, with a
// one-line error that names the setting and shows a good value.

export function setting(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

export function badSetting(name: string, value: string, expected: string, example: string): Error {
  return new Error(`K6_BAD_SETTING: ${name}="${value}" is not ${expected} · set it like -e ${name}=${example}`);
}

export function positiveInt(name: string, fallback: number): number {
  const raw = setting(name, String(fallback));
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw badSetting(name, raw, 'a whole number of at least 1', String(fallback));
  return Number(raw);
}

const DURATION_PART = /\d+(?:\.\d+)?(?:ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

/** A k6 duration already checked against DURATION (`90s`, `1m30s`, `500ms`) in milliseconds. */
export function parseDurationMs(raw: string): number {
  let ms = 0;
  for (const part of raw.match(DURATION_PART) ?? []) ms += parseFloat(part) * (UNIT_MS[part.replace(/^[\d.]+/, '')] ?? 1000);
  return Math.round(ms);
}

/** A duration setting in milliseconds; `0` only where `allowZero`. */
export function durationMs(name: string, fallback: string, allowZero = false): number {
  const raw = setting(name, fallback);
  if (allowZero && /^0+(ms|s|m|h)?$/.test(raw)) return 0;
  if (!DURATION.test(raw)) throw badSetting(name, raw, 'a duration', fallback);
  const ms = parseDurationMs(raw);
  if (ms <= 0) throw badSetting(name, raw, 'a duration longer than zero', fallback);
  return ms;
}

export const URL_SHAPE = /^https?:\/\/[^/\s]+/;

export function baseUrl(name: string, fallback: string, example = fallback || 'http://127.0.0.1:8001'): string {
  const raw = setting(name, fallback).replace(/\/+$/, '');
  if (!URL_SHAPE.test(raw)) throw badSetting(name, raw, 'an http(s) URL', example);
  return raw;
}
