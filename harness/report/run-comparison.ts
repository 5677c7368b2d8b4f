import { formatNumber } from '../gate/measured-format';
import { seriesLabel } from '../gate/metric-series';
import type { MetricSample, RunResults } from '../results/results-model';

/**
 * This run against the previous run of the same kind: a delta for every number of every metric series, and the
 * ones that moved the wrong way flagged. A success rate regresses on any drop; a latency regresses when it rises
 * by more than LATENCY_REGRESSION (relative); loss/duplicate/error counts regress when they rise.
 */
export const LATENCY_REGRESSION = 0.1;

export type Direction = 'higher-better' | 'lower-better' | 'neutral';

export interface DeltaRow {
  metric: string;
  series: string;
  field: string;
  previous?: number;
  current?: number;
  delta?: number;
  /** Relative change, e.g. 0.12 for +12 %; undefined when the previous value is 0 or missing. */
  relative?: number;
  regression: boolean;
  improvement: boolean;
  note?: string;
}

export interface TestChange {
  title: string;
  previous: string;
  current: string;
  regression: boolean;
}

export interface RunComparison {
  previousRunId: string;
  previousStartedAt: string;
  rows: DeltaRow[];
  regressions: DeltaRow[];
  testChanges: TestChange[];
}

const BAD_WHEN_HIGH = /(lost|loss|duplicate|late|error|fail|drop|timeout|retr)/;
const RATE_EPSILON = 1e-9;

export function compareRuns(previous: RunResults, current: RunResults): RunComparison {
  const key = (m: MetricSample): string => `${m.name}|${seriesLabel(m.tags)}`;
  const before = new Map(previous.metrics.map((m) => [key(m), m]));
  const after = new Map(current.metrics.map((m) => [key(m), m]));
  const rows: DeltaRow[] = [];
  for (const k of [...new Set([...after.keys(), ...before.keys()])]) {
    const cur = after.get(k);
    const prev = before.get(k);
    const sample = (cur ?? prev) as MetricSample;
    const prevFields = numericFields(prev);
    const curFields = numericFields(cur);
    for (const field of [...new Set([...curFields.keys(), ...prevFields.keys()])]) {
      rows.push(
        deltaRow(
          sample,
          field,
          prevFields.get(field),
          curFields.get(field),
          !prev ? 'new in this run' : !cur ? 'not measured in this run' : undefined,
        ),
      );
    }
  }
  const testChanges = compareTests(previous, current);
  return {
    previousRunId: previous.runId,
    previousStartedAt: previous.startedAt,
    rows,
    regressions: rows.filter((r) => r.regression),
    testChanges,
  };
}

function numericFields(m: MetricSample | undefined): Map<string, number> {
  const fields = new Map<string, number>();
  if (!m) return fields;
  for (const f of ['rate', 'passes', 'fails', 'count', 'value'] as const) {
    const v = m[f];
    if (v !== undefined) fields.set(f, v);
  }
  for (const [k, v] of Object.entries(m.stats ?? {})) fields.set(k, v);
  return fields;
}

export function directionOf(m: Pick<MetricSample, 'name' | 'kind'>, field: string): Direction {
  const bad = BAD_WHEN_HIGH.test(m.name);
  if (field === 'rate') return bad ? 'lower-better' : 'higher-better';
  if (field === 'fails') return 'lower-better';
  if (m.kind === 'trend' && field !== 'count') return 'lower-better';
  if (m.kind === 'counter' && bad) return 'lower-better';
  return 'neutral';
}

function deltaRow(
  m: MetricSample,
  field: string,
  previous: number | undefined,
  current: number | undefined,
  note: string | undefined,
): DeltaRow {
  const row: DeltaRow = {
    metric: m.name,
    series: seriesLabel(m.tags),
    field,
    previous,
    current,
    regression: false,
    improvement: false,
    note,
  };
  if (previous === undefined || current === undefined) return row;
  row.delta = current - previous;
  row.relative = previous !== 0 ? row.delta / Math.abs(previous) : undefined;
  const direction = directionOf(m, field);
  const worse = direction === 'higher-better' ? -row.delta : direction === 'lower-better' ? row.delta : 0;
  if (worse === 0) return row;
  if (field === 'rate') {
    row.regression = worse > RATE_EPSILON;
    row.improvement = worse < -RATE_EPSILON;
  } else if (m.kind === 'trend') {
    const rel = previous > 0 ? worse / previous : worse > 0 ? Infinity : -Infinity;
    row.regression = rel > LATENCY_REGRESSION;
    row.improvement = rel < -LATENCY_REGRESSION;
  } else {
    row.regression = worse > 0;
    row.improvement = worse < 0;
  }
  if (row.regression)
    row.note =
      field === 'rate'
        ? `dropped by ${formatNumber(-row.delta * 100)} points`
        : `rose by ${row.relative === undefined ? formatNumber(row.delta) : `${formatNumber(row.relative * 100)} %`}`;
  return row;
}

function compareTests(previous: RunResults, current: RunResults): TestChange[] {
  const before = new Map(previous.tests.map((t) => [t.id, t.status]));
  const changes: TestChange[] = [];
  for (const t of current.tests) {
    const was = before.get(t.id);
    if (was === undefined || was === t.status) continue;
    changes.push({ title: t.title, previous: was, current: t.status, regression: was === 'passed' && t.status === 'failed' });
  }
  return changes.sort((a, b) => Number(b.regression) - Number(a.regression));
}
