import { compare, parseThreshold, type Aggregation } from '../../../harness/gate/threshold-expression';
import type { MetricType, Sample } from './k6-runtime/recorder';
import { parseThresholdKey, thresholdSource } from './threshold-key';

export interface Verdict {
  key: string;
  threshold: string;
  /** NaN when the metric has no samples, as k6 computes it. */
  measured: number;
  passed: boolean;
}

/** k6's percentile of a sorted list: linear interpolation between the closest ranks. */
function percentile(sorted: number[], percent: number): number {
  if (sorted.length === 0) return 0;
  const i = (percent / 100) * (sorted.length - 1);
  const lo = Math.floor(i);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (i - lo);
}

/** What k6 compares for one aggregation of one metric type; undefined where k6 refuses the combination. */
function measure(type: MetricType, values: number[], a: Aggregation): number | undefined {
  const sorted = [...values].sort((x, y) => x - y);
  switch (type) {
    case 'rate':
      return a.kind === 'rate' ? values.filter((v) => v !== 0).length / values.length : undefined;
    case 'counter':
      return a.kind === 'count' ? values.reduce((s, v) => s + v, 0) : undefined;
    case 'gauge':
      if (a.kind === 'value') return values.length ? (values[values.length - 1] as number) : 0;
      if (a.kind === 'min') return sorted[0] ?? 0;
      if (a.kind === 'max') return sorted[sorted.length - 1] ?? 0;
      return undefined;
    case 'trend':
      if (a.kind === 'percentile') return percentile(sorted, a.percent);
      if (a.kind === 'med') return percentile(sorted, 50);
      if (a.kind === 'avg') return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
      if (a.kind === 'min') return sorted[0] ?? 0;
      if (a.kind === 'max') return sorted[sorted.length - 1] ?? 0;
      if (a.kind === 'count') return values.length;
      return undefined;
  }
}

/** Evaluates a script's thresholds over what it recorded, the way k6 does at the end of a run. */
export function evaluateThresholds(thresholds: Record<string, unknown[]>, samples: Sample[], declared: Map<string, MetricType>): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    const k = parseThresholdKey(key);
    if (typeof k === 'string') throw new Error(k);
    const type = declared.get(k.metric);
    if (!type) throw new Error(`threshold '${key}' is on ${k.metric}, which the script never declared`);
    const values = samples
      .filter((s) => s.metric === k.metric && Object.entries(k.tags).every(([t, v]) => s.tags[t] === v))
      .map((s) => s.value);
    for (const item of list) {
      const source = thresholdSource(item) ?? '';
      const t = parseThreshold(source);
      if (typeof t === 'string') throw new Error(t);
      const measured = measure(type, values, t.aggregation);
      if (measured === undefined) throw new Error(`k6 cannot apply '${source}' to ${k.metric}, a ${type}`);
      verdicts.push({ key, threshold: source, measured, passed: !Number.isNaN(measured) && compare(measured, t.operator, t.target) });
    }
  }
  return verdicts;
}
