import { usageError } from '../errors/harness-error';

/**
 * Durations as Dapr reads them in a Resiliency spec. Dapr hands policy durations to Go's time.ParseDuration, except
 * that a bare integer ("500", or a YAML number coerced to a string) means milliseconds. We parse once, at the edge,
 * into milliseconds (fractional for sub-millisecond units).
 */
export type DurationParse = { ok: true; ms: number } | { ok: false; reason: string };

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's Duration is an int64 of nanoseconds: anything longer does not fit. */
const MAX_MS = 9_223_372_036_854.775;

export const DURATION_HINT = 'write a Go duration such as 200ms, 5s, 1m30s or 1h (a bare integer means milliseconds)';

/** Go's time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or a lone "0". */
export function parseGoDuration(text: string): DurationParse {
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, ms: 0 };
  if (s === '') return { ok: false, reason: text === '' ? 'it is empty' : `"${text}" has no number` };
  let totalMs = 0;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) {
      return { ok: false, reason: `"${text}" is not a number followed by a unit` };
    }
    s = s.slice(number?.[0].length ?? 0);
    const unitMatch = /^[^\d.]*/.exec(s);
    const unit = unitMatch?.[0] ?? '';
    if (unit === '') return { ok: false, reason: `"${text}" is missing a unit` };
    const unitMs = UNIT_MS[unit];
    if (unitMs === undefined) return { ok: false, reason: `"${text}" has unknown unit "${unit}" (use ns, us, ms, s, m or h)` };
    s = s.slice(unit.length);
    totalMs += Number(`${whole || '0'}.${fraction ?? ''}0`) * unitMs;
    if (totalMs > MAX_MS) return { ok: false, reason: `"${text}" is longer than Go's Duration can hold` };
  }
  return { ok: true, ms: negative ? -totalMs : totalMs };
}

/**
 * A duration field of a Resiliency spec. Dapr treats an integer string as milliseconds before trying Go syntax, and
 * its YAML loader turns a YAML number into such a string, so `timeout: 500` is 500ms, not 500s.
 */
export function parseDaprDuration(value: unknown): DurationParse {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { ok: true, ms: value };
    return { ok: false, reason: `${value} is a number without a unit` };
  }
  if (typeof value !== 'string') return { ok: false, reason: `expected a duration string, found ${describeValue(value)}` };
  if (/^[-+]?\d+$/.test(value)) return { ok: true, ms: Number(value) };
  return parseGoDuration(value);
}

/** Parse or throw a one-line usage error naming what was being parsed. */
export function durationMs(text: string, what = 'duration'): number {
  const parsed = parseGoDuration(text);
  if (!parsed.ok) throw usageError('RESILIENCY_INVALID_DURATION', `${what}: ${parsed.reason}`, DURATION_HINT);
  return parsed.ms;
}

/** Go's Duration.String() style, so reports echo what a user would write: 90000 → "1m30s", 1500 → "1.5s". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (!Number.isFinite(ms)) return ms > 0 ? 'forever' : '-forever';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1e-3) return `${sign}${trimNumber(abs * 1e6)}ns`;
  if (abs < 1) return `${sign}${trimNumber(abs * 1e3)}µs`;
  if (abs < 1000) return `${sign}${trimNumber(abs)}ms`;
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = (abs % 60_000) / 1000;
  let out = sign;
  if (hours > 0) out += `${hours}h`;
  if (hours > 0 || minutes > 0) out += `${minutes}m`;
  return `${out}${trimNumber(seconds)}s`;
}

function trimNumber(value: number): string {
  return String(Number(value.toFixed(6)));
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
