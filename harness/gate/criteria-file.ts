import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { usageError, type HarnessError } from '../errors/harness-error';
import { metricInfo, suggestMetric } from './metric-catalog';
import { AGGREGATIONS_BY_KIND, appliesTo } from './metric-series';
import { aggregationLabel, parseThreshold, thresholdProblem, type Threshold } from './threshold-expression';

/**
 * criteria.yaml: k6-style thresholds over our metric names, the contract a run must meet.
 *
 *   criteria:
 *     pubsub.delivery_rate: ['rate>=0.999']                 # every series (e.g. each subscriber) must pass
 *     pubsub.e2e_latency{subscriber:orders}: ['p(99)<500']  # only the series with these tags
 *     autoscale.max_replicas: { thresholds: ['value>=50'], optional: true }
 *     state.success_rate: { thresholds: ['rate>=0.995'], aggregate: true }
 *
 * Every threshold keeps its line so the gate and the report can point back at it.
 */
export interface CriterionThreshold {
  threshold: Threshold;
  line: number;
}

export interface Criterion {
  /** The key as written, e.g. `pubsub.e2e_latency{subscriber:orders}`. */
  key: string;
  metric: string;
  /** Only series carrying all of these tags; empty selects every series. */
  tags: Record<string, string>;
  thresholds: CriterionThreshold[];
  /** When the run did not measure the metric, skip instead of failing. */
  optional: boolean;
  /** Combine all selected series into one before comparing, instead of checking each. */
  aggregate: boolean;
  /** tests.* only: a run narrowed by --grep or --area may satisfy it (by default it cannot). */
  allowFiltered: boolean;
  line: number;
}

export interface CriteriaFile {
  file: string;
  criteria: Criterion[];
}

const METRIC_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const KEY = /^([^{}\s]+)\s*(?:\{([^{}]*)\})?$/;
const OPTION_KEYS = ['thresholds', 'optional', 'aggregate', 'allowFiltered'];
const HINT = "write it like criteria: { pubsub.e2e_latency: ['p(99)<1000'] }; see criteria.yaml at the repository root";

export function loadCriteria(file: string): CriteriaFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(
      'CRITERIA_MISSING',
      `cannot read criteria file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'pass --criteria <file>, e.g. --criteria criteria.yaml',
    );
  }
  return parseCriteria(text, file);
}

/** Parses criteria YAML; every problem is a usage error naming `file:line` and what to change. */
export function parseCriteria(text: string, file: string): CriteriaFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: unknown): number => {
    const range = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
    return lines.linePos(range ? range[0] : 0).line;
  };
  const fail = (line: number, problem: string, hint = HINT): HarnessError =>
    usageError('CRITERIA_INVALID', `${file}:${line}: ${problem}`, hint);

  const syntax = doc.errors[0];
  if (syntax)
    throw fail(lines.linePos(syntax.pos[0]).line, `YAML syntax error: ${syntax.message.split('\n')[0]}`, 'fix the YAML at that line');

  const root = doc.contents;
  if (!isMap(root)) throw fail(lineOf(root), 'the file must be a mapping with a top-level `criteria:` key');
  for (const pair of root.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (k !== 'criteria') throw fail(lineOf(pair.key), `unknown top-level key '${k}'`, 'the only top-level key is `criteria:`');
  }
  const body = root.get('criteria', true);
  if (body === undefined) throw fail(1, 'no `criteria:` key');
  if (!isMap(body)) throw fail(lineOf(body as Node), '`criteria:` must be a mapping of metric name to thresholds');
  if (body.items.length === 0)
    throw fail(lineOf(body), '`criteria:` is empty, so the gate would pass anything', 'add at least one criterion');

  const criteria = body.items.map((pair) => parseCriterion(pair, lineOf, fail));
  return { file, criteria };
}

function parseCriterion(
  pair: Pair,
  lineOf: (node: unknown) => number,
  fail: (line: number, problem: string, hint?: string) => HarnessError,
): Criterion {
  const line = lineOf(pair.key);
  if (!isScalar(pair.key) || typeof pair.key.value !== 'string')
    throw fail(line, 'a criterion key must be a metric name such as pubsub.delivery_rate');
  const key = pair.key.value.trim();
  const m = KEY.exec(key);
  const metric = m?.[1] ?? '';
  if (!m || !METRIC_NAME.test(metric)) {
    throw fail(
      line,
      `'${key}' is not a metric name`,
      'use dotted lower-case names like pubsub.e2e_latency, optionally with a tag filter {subscriber:orders}',
    );
  }
  const tags = parseTagFilter(m[2], (problem) => fail(line, `'${key}': ${problem}`, 'write tag filters as {tag:value,other:value}'));
  const info = metricInfo(metric);
  if (!info) {
    const near = suggestMetric(metric);
    throw fail(
      line,
      `unknown metric '${metric}'${near ? ` (did you mean '${near}'?)` : ''}`,
      'the metrics a run records are listed in README "Reading a verdict"; see criteria.yaml for examples',
    );
  }

  const value = pair.value as Node | null;
  let thresholdsNode: Node | null = value;
  let optional = false;
  let aggregate = false;
  let allowFiltered = false;
  if (isMap(value)) {
    thresholdsNode = null;
    for (const opt of value.items) {
      const optKey = isScalar(opt.key) ? String(opt.key.value) : '?';
      const optValue = opt.value as Node | null;
      if (!OPTION_KEYS.includes(optKey))
        throw fail(lineOf(opt.key), `${key}: unknown option '${optKey}'`, `the options are ${OPTION_KEYS.join(', ')}`);
      if (optKey === 'thresholds') thresholdsNode = optValue;
      else {
        if (!isScalar(optValue) || typeof optValue.value !== 'boolean')
          throw fail(lineOf(optValue ?? opt.key), `${key}: '${optKey}' must be true or false`);
        if (optKey === 'optional') optional = optValue.value;
        else if (optKey === 'aggregate') aggregate = optValue.value;
        else if (info.kind !== 'tests')
          throw fail(lineOf(opt.key), `${key}: 'allowFiltered' applies only to tests.acceptance and tests.chaos`);
        else allowFiltered = optValue.value;
      }
    }
    if (!thresholdsNode) throw fail(line, `${key}: no 'thresholds:' list`, `add thresholds: ['...'] under ${key}`);
  }

  const items: Node[] = isSeq(thresholdsNode)
    ? (thresholdsNode.items as Node[])
    : isScalar(thresholdsNode) && thresholdsNode.value !== null
      ? [thresholdsNode]
      : [];
  if (items.length === 0)
    throw fail(
      lineOf(thresholdsNode ?? pair.key),
      `${key}: needs at least one threshold`,
      `write ${key}: ['<aggregation><operator><number>'], e.g. ['p(99)<1000']`,
    );
  const thresholds = items.map((item): CriterionThreshold => {
    const at = lineOf(item);
    if (!isScalar(item) || typeof item.value !== 'string')
      throw fail(at, `${key}: each threshold must be a quoted string such as 'rate>=0.999'`);
    const parsed = parseThreshold(item.value);
    if (typeof parsed === 'string')
      throw fail(
        at,
        `${key}: ${parsed}`,
        'aggregations: rate, count, value, avg, min, max, med, p(N), passed, failed, skipped, deviations; operators: < <= > >= == !=',
      );
    if (!appliesTo(info.kind, parsed.aggregation)) {
      throw fail(
        at,
        `${key}: ${aggregationLabel(parsed.aggregation)} does not apply to a ${info.kind} metric`,
        `use one of ${AGGREGATIONS_BY_KIND[info.kind].join(', ')}`,
      );
    }
    const problem = thresholdProblem(parsed, info.kind);
    if (problem) throw fail(at, `${key}: '${parsed.source}' ${problem}`, 'a threshold must be able both to pass and to fail');
    return { threshold: parsed, line: at };
  });
  return { key, metric, tags, thresholds, optional, aggregate, allowFiltered, line };
}

function parseTagFilter(body: string | undefined, fail: (problem: string) => HarnessError): Record<string, string> {
  const tags: Record<string, string> = {};
  if (body === undefined) return tags;
  if (body.trim() === '') throw fail('the tag filter {} is empty');
  for (const part of body.split(',')) {
    const at = part.indexOf(':');
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (at < 0 || !name || !value) throw fail(`'${part.trim()}' is not tag:value`);
    tags[name] = value;
  }
  return tags;
}
