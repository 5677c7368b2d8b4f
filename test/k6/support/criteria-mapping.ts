import type { Criterion } from '../../../harness/gate/criteria-file';
import { aggregationLabel, parseThreshold, type Threshold } from '../../../harness/gate/threshold-expression';
import type { MetricType } from './k6-runtime/recorder';
import { parseThresholdKey, thresholdSource } from './threshold-key';

/**
 * criteria.yaml names metrics with dots (`pubsub.delivery_rate`); k6 allows only [a-zA-Z0-9_] in a metric name,
 * so a k6 script writes every dot as an underscore (`pubsub_delivery_rate`). Tags are the same on both sides.
 */
export function k6MetricName(criteriaMetric: string): string {
  return criteriaMetric.replaceAll('.', '_');
}

function label(t: Threshold): string {
  return `${aggregationLabel(t.aggregation)}${t.operator}${t.target}`;
}

function sameThresholds(a: Threshold[], b: Threshold[]): boolean {
  const key = (list: Threshold[]): string => list.map(label).sort().join(' ');
  return key(a) === key(b);
}

/**
 * Problems with a script's thresholds, read against the criteria: every key must name a metric some criterion
 * maps to, filter at least the criterion's tags, and hold exactly the criterion's thresholds (same aggregation,
 * comparison and number).
 */
export function thresholdProblems(script: string, thresholds: Record<string, unknown[]>, criteria: Criterion[]): string[] {
  const problems: string[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const parsedKey = parseThresholdKey(key);
    if (typeof parsedKey === 'string') {
      problems.push(`${script}: ${parsedKey}`);
      continue;
    }
    const criterion = criteria.find(
      (c) => k6MetricName(c.metric) === parsedKey.metric && Object.entries(c.tags).every(([t, v]) => parsedKey.tags[t] === v),
    );
    if (!criterion) {
      const names = [...new Set(criteria.map((c) => k6MetricName(c.metric)))].join(', ');
      problems.push(
        `${script}: threshold on '${key}' has no criterion in criteria.yaml (k6 names of the criteria: ${names}); judge only what criteria.yaml judges`,
      );
      continue;
    }
    const ours: Threshold[] = [];
    for (const item of list) {
      const source = thresholdSource(item);
      const parsed = source === undefined ? `${JSON.stringify(item)} is not a threshold` : parseThreshold(source);
      if (typeof parsed === 'string') problems.push(`${script}: '${key}': ${parsed}`);
      else ours.push(parsed);
    }
    const theirs = criterion.thresholds.map((t) => t.threshold);
    if (!sameThresholds(ours, theirs)) {
      problems.push(
        `${script}: '${key}' has [${ours.map(label).join(', ')}] where criteria.yaml:${criterion.line} ${criterion.key} has [${theirs.map(label).join(', ')}]`,
      );
    }
  }
  return problems;
}

/** Metrics a script declares that a required criterion judges, yet the script puts no threshold on. */
export function unjudgedMetrics(
  script: string,
  declared: Map<string, MetricType>,
  thresholds: Record<string, unknown[]>,
  criteria: Criterion[],
): string[] {
  const judged = new Set(
    Object.keys(thresholds)
      .map((k) => parseThresholdKey(k))
      .flatMap((k) => (typeof k === 'string' ? [] : [k.metric])),
  );
  const problems: string[] = [];
  for (const name of declared.keys()) {
    const criterion = criteria.find((c) => k6MetricName(c.metric) === name);
    if (criterion && !criterion.optional && !judged.has(name))
      problems.push(`${script}: measures ${name} (criteria.yaml:${criterion.line} ${criterion.key}) but has no threshold on it`);
  }
  return problems;
}
