import type { MetricKind, MetricSample, RunResults } from '../results/results-model';
import type { Aggregation } from './threshold-expression';

/**
 * The measured series a criterion is checked against: the run's metric samples with that name (one per tag
 * set), or a count derived from the run's test and chaos records for `tests.acceptance` and `tests.chaos`.
 */
export type SeriesKind = MetricKind | 'tests';

export interface Series {
  /** Tags as `k=v,k=v`; empty for an untagged or aggregated series. */
  label: string;
  kind: SeriesKind;
  unit?: string;
  /** Undefined when the series does not record that aggregation (e.g. a trend without p99.9). */
  read(a: Aggregation): number | undefined;
  /** Extra words for a failing row, e.g. which tests failed. */
  detail?: string;
}

export const DERIVED_METRICS = ['tests.acceptance', 'tests.chaos'] as const;

/** Which aggregations make sense for each kind; anything else is a mistake in the criteria file. */
export const AGGREGATIONS_BY_KIND: Record<SeriesKind, readonly string[]> = {
  rate: ['rate', 'passed', 'failed', 'count'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)', 'count'],
  counter: ['count'],
  gauge: ['value', 'min', 'max', 'avg'],
  tests: ['passed', 'failed', 'count', 'rate'],
};

export function appliesTo(kind: SeriesKind, a: Aggregation): boolean {
  return AGGREGATIONS_BY_KIND[kind].includes(a.kind === 'percentile' ? 'p(N)' : a.kind);
}

export function seriesLabel(tags: Record<string, string>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(',');
}

/** The key a stats map uses for a percentile: 99 → "p99", 99.9 → "p99.9". */
export function percentileKey(percent: number): string {
  return `p${String(percent)}`;
}

export function selectSeries(results: RunResults, metric: string, tags: Record<string, string>, aggregate: boolean): Series[] {
  if (metric === 'tests.acceptance') return testSeries(results, tags);
  if (metric === 'tests.chaos') return chaosSeries(results, tags);
  const samples = results.metrics.filter((s) => s.name === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
  if (samples.length === 0) return [];
  if (aggregate && samples.length > 1) return [combinedSeries(samples)];
  return samples.map(sampleSeries);
}

function sampleSeries(s: MetricSample): Series {
  return { label: seriesLabel(s.tags), kind: s.kind, unit: s.unit, read: (a) => readSample(s, a) };
}

function readSample(s: MetricSample, a: Aggregation): number | undefined {
  const stats = s.stats ?? {};
  switch (a.kind) {
    case 'percentile':
      return stats[percentileKey(a.percent)];
    case 'med':
      return stats.med ?? stats.p50;
    case 'avg':
    case 'min':
    case 'max':
      return stats[a.kind] ?? (s.kind === 'gauge' && s.value !== undefined ? s.value : undefined);
    case 'value':
      return s.value;
    case 'rate':
      return s.rate ?? (s.passes !== undefined && s.fails !== undefined && s.passes + s.fails > 0 ? s.passes / (s.passes + s.fails) : undefined);
    case 'passed':
      return s.passes;
    case 'failed':
      return s.fails;
    case 'count':
      if (s.kind === 'rate' && s.count === undefined && s.passes !== undefined && s.fails !== undefined) return s.passes + s.fails;
      return s.count ?? stats.count;
  }
}

/**
 * Several series folded into one. Counts add up and a rate is recomputed from the summed passes and fails;
 * percentiles cannot be merged exactly, so the worst (highest) series stands for all of them.
 */
function combinedSeries(samples: MetricSample[]): Series {
  const first = samples[0] as MetricSample;
  const all = (a: Aggregation): number[] | undefined => {
    const values = samples.map((s) => readSample(s, a));
    return values.every((v): v is number => v !== undefined) ? values : undefined;
  };
  const read = (a: Aggregation): number | undefined => {
    if (a.kind === 'rate') {
      const passes = all({ kind: 'passed' });
      const fails = all({ kind: 'failed' });
      if (passes && fails) {
        const p = sum(passes);
        const total = p + sum(fails);
        return total > 0 ? p / total : undefined;
      }
      const rates = all(a);
      return rates ? sum(rates) / rates.length : undefined;
    }
    const values = all(a);
    if (!values) return undefined;
    if (a.kind === 'count' || a.kind === 'passed' || a.kind === 'failed') return sum(values);
    if (a.kind === 'min') return Math.min(...values);
    return Math.max(...values);
  };
  return { label: `all ${samples.length} series`, kind: first.kind, unit: first.unit, read };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function countSeries(passed: number, failed: number, total: number, failing: string[]): Series {
  const counts: Record<string, number | undefined> = { passed, failed, count: total, rate: passed + failed > 0 ? passed / (passed + failed) : undefined };
  const shown = failing.slice(0, 3).join('; ');
  return {
    label: '',
    kind: 'tests',
    read: (a) => counts[a.kind],
    detail: failing.length > 0 ? `failing: ${shown}${failing.length > 3 ? `; and ${failing.length - 3} more` : ''}` : undefined,
  };
}

/** `tests.acceptance{tag:US1}` narrows to the tests carrying that story or task tag. */
function testSeries(results: RunResults, filter: Record<string, string>): Series[] {
  const tests = results.tests.filter((t) => filter.tag === undefined || t.tags.includes(filter.tag));
  if (tests.length === 0) return [];
  const failing = tests.filter((t) => t.status === 'failed');
  const passed = tests.filter((t) => t.status === 'passed').length;
  return [countSeries(passed, failing.length, tests.length, failing.map((t) => t.title))];
}

/** `tests.chaos{target:redis}` narrows by any of probe, target, policy. */
function chaosSeries(results: RunResults, filter: Record<string, string>): Series[] {
  const probes = results.chaos.filter((c) => Object.entries(filter).every(([k, v]) => (c as unknown as Record<string, unknown>)[k] === v));
  if (probes.length === 0) return [];
  const failing = probes.filter((c) => !c.passed);
  return [countSeries(probes.length - failing.length, failing.length, probes.length, failing.map((c) => `${c.probe} (${c.target})`))];
}
