import type { MetricKind, MetricSample, RunResults, TestResult } from '../results/results-model';
import { countOutcomes } from '../results/test-outcome';
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
  tests: ['passed', 'failed', 'skipped', 'deviations', 'count', 'rate'],
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
  return { label: seriesLabel(s.tags), kind: s.kind, unit: s.unit, read: (a) => readSample(s, a), detail: s.note };
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
      return (
        s.rate ?? (s.passes !== undefined && s.fails !== undefined && s.passes + s.fails > 0 ? s.passes / (s.passes + s.fails) : undefined)
      );
    case 'passed':
      return s.passes;
    case 'failed':
      return s.fails;
    case 'skipped':
    case 'deviations':
      return undefined;
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

interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  deviations: number;
  count: number;
}

function countSeries(c: TestCounts, notes: { failing: string[]; skipped?: string[]; deviations?: string[] }): Series {
  const counts: Record<string, number | undefined> = { ...c, rate: c.passed + c.failed > 0 ? c.passed / (c.passed + c.failed) : undefined };
  const list = (what: string, items: string[] | undefined): string | undefined =>
    items && items.length > 0
      ? `${what}: ${items.slice(0, 3).join('; ')}${items.length > 3 ? `; and ${items.length - 3} more` : ''}`
      : undefined;
  const detail = [list('failing', notes.failing), list('skipped', notes.skipped), list('known deviations', notes.deviations)]
    .filter(Boolean)
    .join(' · ');
  return { label: '', kind: 'tests', read: (a) => counts[a.kind], detail: detail || undefined };
}

/**
 * `tests.acceptance{tag:US1}` narrows to the tests carrying that story or task tag. Chaos probes are tests of the
 * chaos area and count under tests.chaos, not here. `failed` leaves out acknowledged deviations, which have their
 * own count; `rate` is passed / (passed + failed), so skips never raise it.
 */
function testSeries(results: RunResults, filter: Record<string, string>): Series[] {
  const tests = results.tests.filter((t) => t.area !== 'chaos' && (filter.tag === undefined || t.tags.includes(filter.tag)));
  if (tests.length === 0) return [];
  return [testsCountSeries(tests)];
}

function testsCountSeries(tests: TestResult[], extraFailing: string[] = []): Series {
  const c = countOutcomes(tests);
  const failing = [...tests.filter((t) => t.status === 'failed' && !t.deviation).map((t) => t.title), ...extraFailing];
  return countSeries(
    {
      passed: c.passed,
      failed: c.failed + extraFailing.length,
      skipped: c.skipped,
      deviations: c.deviations,
      count: c.total + extraFailing.length,
    },
    {
      failing,
      skipped: tests.filter((t) => t.status === 'skipped').map((t) => `${t.title} (${t.skip?.reason ?? 'no reason'})`),
      deviations: tests.filter((t) => t.deviation).map((t) => t.title),
    },
  );
}

/**
 * tests.chaos counts probes: each chaos test, failed when the test failed or its expected-vs-observed record did
 * not match, so a probe that threw before recording still counts. Records of runs without chaos tests (older
 * results) are counted as they are. `tests.chaos{target:redis}` narrows the records by probe, target or policy.
 */
function chaosSeries(results: RunResults, filter: Record<string, string>): Series[] {
  const probes = results.chaos.filter((c) => Object.entries(filter).every(([k, v]) => (c as unknown as Record<string, unknown>)[k] === v));
  const chaosTests = results.tests.filter((t) => t.area === 'chaos');
  if (Object.keys(filter).length === 0 && chaosTests.length > 0) {
    // A failed record whose test still passed would be a probe that did not assert its own record: count it too.
    const unasserted = probes.filter((c) => !c.passed).map((c) => `${c.probe} (${c.target}) record failed`);
    const testsFailed = chaosTests.some((t) => t.status === 'failed');
    return [testsCountSeries(chaosTests, testsFailed ? [] : unasserted)];
  }
  if (probes.length === 0) return [];
  const failing = probes.filter((c) => !c.passed);
  return [
    countSeries(
      { passed: probes.length - failing.length, failed: failing.length, skipped: 0, deviations: 0, count: probes.length },
      { failing: failing.map((c) => `${c.probe} (${c.target})`) },
    ),
  ];
}
