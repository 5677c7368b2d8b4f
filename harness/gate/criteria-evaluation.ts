import { usageError } from '../errors/harness-error';
import type { RunResults } from '../results/results-model';
import type { CriteriaFile } from './criteria-file';
import { formatWithUnit } from './measured-format';
import { metricInfo } from './metric-catalog';
import { AGGREGATIONS_BY_KIND, appliesTo, selectSeries } from './metric-series';
import { aggregationLabel, compare } from './threshold-expression';

/**
 * `not in this run`: no run judged here is of a kind that measures the metric (an acceptance run has no pub/sub
 * latency). The gate fails it like `not measured` unless optional; a single run's report shows it apart, because
 * only the gate over combined runs can judge it.
 */
export type RowStatus = 'pass' | 'fail' | 'not measured' | 'not in this run' | 'skipped';

/** One line of the verdict: one threshold checked against one series of one run. */
export interface VerdictRow {
  criterion: string;
  series: string;
  threshold: string;
  measured?: number;
  measuredText: string;
  status: RowStatus;
  ok: boolean;
  /** Line of the threshold in the criteria file; 0 for checks the gate adds itself. */
  line: number;
  /** Set when more than one run is judged together. */
  runId?: string;
  detail?: string;
}

export interface Verdict {
  /** The gate's verdict: every row ok. */
  passed: boolean;
  /** Every row that these runs could measure is ok (rows `not in this run` aside): what one run's report shows. */
  passedInScope: boolean;
  rows: VerdictRow[];
  failures: VerdictRow[];
  criteriaFile: string;
  runIds: string[];
}

/**
 * Judges one or more runs against the criteria. Each selected series must meet every threshold. A criterion no
 * run measured fails unless it is optional; with several runs (say an acceptance run and a load run), each
 * criterion is judged in the runs that measured it. An interrupted (partial) run never passes, nor does a run with
 * run-level errors (a process of the deployment that died, a setup that failed).
 */
export function evaluateCriteria(criteria: CriteriaFile, runs: RunResults | RunResults[]): Verdict {
  const all = Array.isArray(runs) ? runs : [runs];
  const several = all.length > 1;
  const rows: VerdictRow[] = [];

  for (const run of all.filter((r) => r.partial)) {
    rows.push({
      criterion: 'run.complete',
      series: '',
      threshold: 'partial==false',
      measuredText: 'partial run',
      status: 'fail',
      ok: false,
      line: 0,
      runId: run.runId,
      detail: 'the run was interrupted; re-run it to completion',
    });
  }

  for (const run of all.filter((r) => r.errors.length > 0)) {
    const codes = [...new Set(run.errors.map((e) => e.code))].join(', ');
    const first = run.errors[0]?.message.split('\n')[0] ?? '';
    rows.push({
      criterion: 'run.errors',
      series: '',
      threshold: 'errors==0',
      measured: run.errors.length,
      measuredText: String(run.errors.length),
      status: 'fail',
      ok: false,
      line: 0,
      runId: several ? run.runId : undefined,
      detail: `${codes}: ${first}`,
    });
  }

  for (const c of criteria.criteria) {
    const measuredIn = all
      .map((run) => ({ run, series: selectSeries(run, c.metric, c.tags, c.aggregate) }))
      .filter((m) => m.series.length > 0);
    const kinds = metricInfo(c.metric)?.measuredBy;
    const inScope = kinds === undefined || all.some((run) => kinds.includes(run.kind));
    for (const t of c.thresholds) {
      const base = { criterion: c.key, threshold: t.threshold.source, line: t.line };
      if (measuredIn.length === 0) {
        const status = c.optional ? 'skipped' : inScope ? 'not measured' : 'not in this run';
        const detail = inScope
          ? undefined
          : `measured by ${kinds?.join(' or ')} runs; judge this run together with one: npm run gate -- --results <run> <other run>`;
        rows.push({
          ...base,
          series: '',
          measuredText: inScope ? 'not measured' : several ? 'not in these runs' : 'not in this run',
          status,
          ok: c.optional,
          detail,
        });
        continue;
      }
      for (const { run, series } of measuredIn) {
        for (const s of series) {
          if (!appliesTo(s.kind, t.threshold.aggregation)) {
            throw usageError(
              'CRITERIA_INVALID',
              `${criteria.file}:${t.line}: ${c.key}: ${aggregationLabel(t.threshold.aggregation)} does not apply to a ${s.kind} metric`,
              `use one of ${AGGREGATIONS_BY_KIND[s.kind].join(', ')}`,
            );
          }
          const value = s.read(t.threshold.aggregation);
          const runId = several ? run.runId : undefined;
          if (value === undefined) {
            rows.push({
              ...base,
              series: s.label,
              runId,
              measuredText: `no ${aggregationLabel(t.threshold.aggregation)} recorded`,
              status: c.optional ? 'skipped' : 'not measured',
              ok: c.optional,
            });
            continue;
          }
          const narrowed = c.metric.startsWith('tests.') && !c.allowFiltered && run.filter ? filterText(run.filter) : undefined;
          if (narrowed) {
            rows.push({
              ...base,
              series: s.label,
              runId,
              measured: value,
              measuredText: formatWithUnit(value, undefined),
              status: 'fail',
              ok: false,
              detail: `the run was narrowed (${narrowed}), so it did not check everything; run it unfiltered, or set allowFiltered: true on ${c.key}`,
            });
            continue;
          }
          const ok = compare(value, t.threshold.operator, t.threshold.target);
          const unit =
            t.threshold.aggregation.kind === 'percentile' || ['avg', 'min', 'max', 'med'].includes(t.threshold.aggregation.kind)
              ? s.unit
              : undefined;
          rows.push({
            ...base,
            series: s.label,
            runId,
            measured: value,
            measuredText: formatWithUnit(value, unit),
            status: ok ? 'pass' : 'fail',
            ok,
            detail: s.detail,
          });
        }
      }
    }
  }
  const failures = rows.filter((r) => !r.ok);
  const passedInScope = failures.every((r) => r.status === 'not in this run');
  return { passed: failures.length === 0, passedInScope, rows, failures, criteriaFile: criteria.file, runIds: all.map((r) => r.runId) };
}

function filterText(f: NonNullable<RunResults['filter']>): string | undefined {
  const parts = [f.grep !== undefined ? `--grep '${f.grep}'` : undefined, f.areas ? `areas ${f.areas.join(', ')}` : undefined].filter(
    Boolean,
  );
  return parts.length > 0 ? parts.join(', ') : undefined;
}
