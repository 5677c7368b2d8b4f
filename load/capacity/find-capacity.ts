import type { CriteriaFile } from '../../harness/gate/criteria-file';
import { evaluateCriteria } from '../../harness/gate/criteria-evaluation';
import type { CapacityRecord, MetricSample, RunResults } from '../../harness/results/results-model';
import type { LoadSettings, Scenario, ScenarioContext } from '../scenarios/scenario';
import { driverLimitErrors } from '../driver/driver-limit-errors';
import { searchCapacity, type CapacityStep, type SearchPlan } from './capacity-search';

/**
 * The criteria that held or broke in one step. Only what this step measured is judged: criteria that another kind
 * of run or another scenario measures say nothing about this rate.
 */
export function judgeStep(criteria: CriteriaFile, step: RunResults): { met: boolean; broken: string[] } {
  const verdict = evaluateCriteria(criteria, step);
  const broken = verdict.failures
    .filter((f) => f.status === 'fail' || (f.status === 'not measured' && f.series !== ''))
    .map((f) => `${f.criterion}${f.series ? ` [${f.series}]` : ''} ${f.threshold}: ${f.measuredText}${f.detail ? ` (${f.detail})` : ''}`);
  const judged = verdict.rows.filter((r) => r.status === 'pass' || r.status === 'fail');
  if (judged.length === 0) return { met: false, broken: ['no criterion measured at this rate'] };
  return { met: broken.length === 0, broken };
}

/** The latency the criteria bound for this scenario: pub/sub end-to-end when there is one, else the request latency. */
export function stepLatency(metrics: MetricSample[]): { p50Ms?: number; p90Ms?: number; p99Ms?: number } {
  const trends = metrics.filter((m) => m.kind === 'trend' && m.stats);
  const e2e = trends.filter((m) => m.name === 'pubsub.e2e_latency');
  const chosen = e2e.length > 0 ? e2e : trends.filter((m) => m.name.endsWith('.latency') && !m.name.includes('baseline'));
  if (chosen.length === 0) return {};
  const worst = (k: string): number | undefined => {
    const values = chosen.map((m) => m.stats?.[k]).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const out: { p50Ms?: number; p90Ms?: number; p99Ms?: number } = {};
  const p50 = worst('p50');
  const p90 = worst('p90');
  const p99 = worst('p99');
  if (p50 !== undefined) out.p50Ms = p50;
  if (p90 !== undefined) out.p90Ms = p90;
  if (p99 !== undefined) out.p99Ms = p99;
  return out;
}

export interface CapacityOptions {
  scenario: Scenario;
  /** Per step: duration, warm-up (excluded from the figures), connections, payload; the rate is the search's. */
  settings: LoadSettings;
  criteria: CriteriaFile;
  plan: SearchPlan;
  now?: () => number;
}

/**
 * `--find-capacity`: runs the scenario at rates the search picks, each step into a results record of its own and
 * judged against the criteria, and records the search in `results.capacity`. The run's own metrics and scenario
 * record are those of the highest rate that met the criteria (or, when none did, of the lowest rate tried), so the
 * report's figures and cost table describe the knee. Ctrl-C ends the search with the steps measured so far.
 */
export async function findCapacity(ctx: ScenarioContext, o: CapacityOptions): Promise<CapacityRecord> {
  const now = o.now ?? Date.now;
  const record: CapacityRecord = {
    scenario: o.scenario.name,
    criteriaFile: o.criteria.file,
    stepDurationMs: o.settings.durationMs,
    warmupMs: o.settings.warmupMs,
    steps: [],
    endedBy: 'aborted',
  };
  ctx.results.capacity = [...(ctx.results.capacity ?? []), record];
  const measured = new Map<number, RunResults>();
  const measure = async (rate: number): Promise<CapacityStep> => {
    const started = now();
    const scratch: RunResults = { ...ctx.results, metrics: [], scenarios: [], errors: [], tests: [], chaos: [], partial: false };
    delete scratch.capacity;
    ctx.progress.log(`capacity ${o.scenario.name}: step at ${rate}/s`);
    try {
      await o.scenario.run({ ...ctx, results: scratch, settings: { ...o.settings, ratePerSecond: rate }, save: () => undefined });
    } catch (err) {
      scratch.errors.push({ code: 'STEP_FAILED', message: err instanceof Error ? err.message : String(err) });
    }
    scratch.errors.push(...driverLimitErrors(scratch.metrics));
    const judged = judgeStep(o.criteria, scratch);
    const achieved = scratch.metrics.find((m) => m.name.endsWith('.achieved_rate') && !m.name.includes('baseline'))?.value ?? 0;
    const resources = scratch.scenarios.flatMap((s) => s.resources ?? []);
    const step: CapacityStep = {
      ratePerSecond: rate,
      achievedRatePerSecond: achieved,
      ...stepLatency(scratch.metrics),
      met: judged.met,
      broken: judged.broken,
      elapsedMs: now() - started,
    };
    const cores = averageCores(resources);
    if (cores !== undefined) step.cpuCores = cores;
    if (!ctx.signal.aborted) {
      measured.set(rate, scratch);
      record.steps.push(step);
      ctx.progress.log(
        `capacity ${o.scenario.name}: ${rate}/s ${step.met ? 'met the criteria' : `broke them: ${step.broken.join('; ')}`}` +
          ` · achieved ${achieved}/s · p50 ${step.p50Ms ?? '-'} ms p99 ${step.p99Ms ?? '-'} ms`,
      );
      ctx.save();
    }
    return step;
  };
  const search = await searchCapacity(measure, o.plan, { signal: ctx.signal, now });
  record.endedBy = search.endedBy;
  if (search.maxMetRatePerSecond !== undefined) record.maxMetRatePerSecond = search.maxMetRatePerSecond;
  if (search.brokenRatePerSecond !== undefined) record.brokenRatePerSecond = search.brokenRatePerSecond;
  const tags = { scenario: o.scenario.name };
  if (record.maxMetRatePerSecond !== undefined)
    ctx.results.metrics.push({ name: 'capacity.max_rate', kind: 'gauge', tags, value: record.maxMetRatePerSecond, unit: '1/s' });
  if (record.brokenRatePerSecond !== undefined)
    ctx.results.metrics.push({ name: 'capacity.broken_rate', kind: 'gauge', tags, value: record.brokenRatePerSecond, unit: '1/s' });
  const shown = measured.get(record.maxMetRatePerSecond ?? -1) ?? measured.get(Math.min(...record.steps.map((s) => s.ratePerSecond)));
  if (shown) {
    ctx.results.metrics.push(...shown.metrics);
    ctx.results.scenarios.push(...shown.scenarios);
    ctx.results.errors.push(...shown.errors);
  }
  ctx.save();
  return record;
}

function averageCores(resources: { process: string; cpuPercent: number }[]): number | undefined {
  if (resources.length === 0) return undefined;
  const byProcess = new Map<string, number[]>();
  for (const r of resources) byProcess.set(r.process, [...(byProcess.get(r.process) ?? []), r.cpuPercent]);
  let cores = 0;
  for (const values of byProcess.values()) cores += values.reduce((a, b) => a + b, 0) / values.length / 100;
  return Math.round(cores * 100) / 100;
}

/** The search as a console table and the knee in one line. */
export function formatCapacity(r: CapacityRecord): string {
  const lines = [
    `capacity of ${r.scenario} against ${r.criteriaFile} (steps of ${r.stepDurationMs / 1000} s after ${r.warmupMs / 1000} s warm-up):`,
  ];
  for (const s of r.steps)
    lines.push(
      `  ${String(s.ratePerSecond).padStart(7)}/s  achieved ${String(s.achievedRatePerSecond).padStart(8)}/s  p50 ${fmt(s.p50Ms)}  p90 ${fmt(s.p90Ms)}  p99 ${fmt(s.p99Ms)}` +
        `${s.cpuCores !== undefined ? `  ${s.cpuCores.toFixed(2)} cores` : ''}  ${s.met ? 'met' : 'BROKE'}`,
    );
  const met = r.maxMetRatePerSecond !== undefined ? `${r.maxMetRatePerSecond}/s met the criteria` : 'no rate met the criteria';
  const broke = r.brokenRatePerSecond !== undefined ? `${r.brokenRatePerSecond}/s broke them` : 'no rate broke them';
  lines.push(`knee: ${met}; ${broke} (search ended: ${r.endedBy})`);
  return lines.join('\n');
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? '       -' : `${ms.toFixed(1).padStart(8)} ms`;
}
