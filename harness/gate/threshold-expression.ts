/**
 * One k6-style threshold: `<aggregation> <operator> <number>`, e.g. `p(99.9)<1000`, `rate>=0.999`, `failed==0`.
 * Parsed once when the criteria file is read; evaluation only compares numbers.
 */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type Aggregation =
  | { kind: 'rate' | 'count' | 'value' | 'avg' | 'min' | 'max' | 'med' | 'passed' | 'failed' | 'skipped' | 'deviations' }
  | { kind: 'percentile'; percent: number };

export interface Threshold {
  /** As written in the criteria file, whitespace removed. */
  source: string;
  aggregation: Aggregation;
  operator: Operator;
  target: number;
}

export const NAMED_AGGREGATIONS = [
  'rate',
  'count',
  'value',
  'avg',
  'min',
  'max',
  'med',
  'passed',
  'failed',
  'skipped',
  'deviations',
] as const;
export const OPERATORS: readonly Operator[] = ['<', '<=', '>', '>=', '==', '!='];

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const EXPRESSION = new RegExp(String.raw`^\s*([a-z][a-z0-9.]*)\s*(?:\(\s*(${NUMBER})\s*\))?\s*(<=|>=|==|!=|<|>)\s*(${NUMBER})\s*$`);

/** Parses one threshold; on bad input returns the reason as a string (the caller adds file and line). */
export function parseThreshold(text: string): Threshold | string {
  const m = EXPRESSION.exec(text);
  if (!m) return `'${text}' is not a threshold (expected <aggregation><operator><number>, e.g. p(99)<1000 or rate>=0.999)`;
  const [, name = '', arg, op = '', num = ''] = m;
  const target = Number(num);
  const source = text.replace(/\s+/g, '');
  let aggregation: Aggregation;
  if (name === 'p') {
    if (arg === undefined) return `'${text}': p needs a percentile in parentheses, e.g. p(99)`;
    const percent = Number(arg);
    if (!(percent > 0 && percent < 100)) return `'${text}': the percentile must be between 0 and 100 (exclusive), got ${arg}`;
    aggregation = { kind: 'percentile', percent };
  } else {
    if (/^p\d/.test(name)) return `'${text}': write percentiles as p(${name.slice(1)}), with parentheses`;
    if (!(NAMED_AGGREGATIONS as readonly string[]).includes(name)) {
      return `'${text}': unknown aggregation '${name}' (use one of ${NAMED_AGGREGATIONS.join(', ')}, p(N))`;
    }
    if (arg !== undefined) return `'${text}': '${name}' takes no argument; only p(N) does`;
    aggregation = { kind: name as (typeof NAMED_AGGREGATIONS)[number] };
  }
  return { source, aggregation, operator: op as Operator, target };
}

export function aggregationLabel(a: Aggregation): string {
  return a.kind === 'percentile' ? `p(${a.percent})` : a.kind;
}

export function compare(measured: number, operator: Operator, target: number): boolean {
  switch (operator) {
    case '<':
      return measured < target;
    case '<=':
      return measured <= target;
    case '>':
      return measured > target;
    case '>=':
      return measured >= target;
    case '==':
      return measured === target;
    case '!=':
      return measured !== target;
  }
}

/** The values an aggregation can take: a rate lies in [0, 1]; counts are whole numbers ≥ 0; latencies are ≥ 0. */
function domainOf(a: Aggregation, metricKind: string): { min: number; max: number; integer: boolean } | undefined {
  if (a.kind === 'rate') return { min: 0, max: 1, integer: false };
  if (['count', 'passed', 'failed', 'skipped', 'deviations'].includes(a.kind)) return { min: 0, max: Infinity, integer: true };
  if (metricKind === 'trend') return { min: 0, max: Infinity, integer: false };
  // A gauge may be negative (a clock offset), so nothing is known of its range.
  return undefined;
}

/**
 * Why a threshold is no check at all — it can never pass (`rate>=1.1`) or never fail (`count>=0`) — or undefined
 * when it can do both.
 */
export function thresholdProblem(t: Threshold, metricKind: string): string | undefined {
  const d = domainOf(t.aggregation, metricKind);
  if (!d) return undefined;
  const { min, max } = d;
  const x = t.target;
  const reachable = !d.integer || Number.isInteger(x);
  const inside = x >= min && x <= max && reachable;
  const label = aggregationLabel(t.aggregation);
  const range = `${label} is ${d.integer ? 'a whole number ' : ''}${max === Infinity ? `≥ ${min}` : `between ${min} and ${max}`}`;
  let never: 'pass' | 'fail' | undefined;
  switch (t.operator) {
    case '==':
      never = inside ? (min === max ? 'fail' : undefined) : 'pass';
      break;
    case '!=':
      never = inside ? undefined : 'fail';
      break;
    case '<':
      never = x <= min ? 'pass' : x > max ? 'fail' : undefined;
      break;
    case '<=':
      never = x < min ? 'pass' : x >= max ? 'fail' : undefined;
      break;
    case '>':
      never = x >= max ? 'pass' : x < min ? 'fail' : undefined;
      break;
    case '>=':
      never = x > max ? 'pass' : x <= min ? 'fail' : undefined;
      break;
  }
  return never ? `can never ${never}: ${range}` : undefined;
}
