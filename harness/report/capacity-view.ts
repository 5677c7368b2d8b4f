import { formatNumber } from '../gate/measured-format';
import type { CostRecord, RunResults } from '../results/results-model';
import { lineChart, type ChartView, type LineSeries } from './charts/line-chart';

/**
 * Dapr's published sidecar cost (docs.dapr.io, service invocation performance): ~0.48 vCPU and ~23 MB per sidecar
 * at 1000 requests/s, i.e. 0.48 CPU-seconds per 1000 requests. Kept here as well as in load/: the report reads
 * results.json only.
 */
const DAPR_PUBLISHED = { cpuSecondsPer1000: 0.48, rssMb: 23 };

export interface CapacityView {
  scenario: string;
  summary: string;
  chart: ChartView;
  steps: { rate: string; achieved: string; p50: string; p90: string; p99: string; cores: string; verdict: string; cls: string }[];
}

export interface CostView {
  scenario: string;
  unit: string;
  rows: { process: string; role: string; perThousand: string; cores: string; peakRss: string; published: string }[];
  budget: string;
  machineLimited: boolean;
  /** Where the figures come from (/proc, metrics-server). */
  source: string;
  note?: string;
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : `${formatNumber(v)} ms`);

/** Each capacity search: the latency-vs-rate curve (p50/p90/p99 per step) as a chart, and the steps as a table. */
export function capacityViews(results: RunResults): CapacityView[] {
  return (results.capacity ?? []).map((c) => {
    const steps = [...c.steps].sort((a, b) => a.ratePerSecond - b.ratePerSecond);
    const series = (['p50Ms', 'p90Ms', 'p99Ms'] as const).map((k): LineSeries => ({
      name: k.replace('Ms', ''),
      points: steps.filter((s) => s[k] !== undefined).map((s) => ({ x: s.ratePerSecond, y: s[k] as number })),
    }));
    const met =
      c.maxMetRatePerSecond !== undefined
        ? `${c.maxMetRatePerSecond}/s is the highest rate that met the criteria`
        : 'no rate tried met the criteria';
    const broke = c.brokenRatePerSecond !== undefined ? `${c.brokenRatePerSecond}/s broke them` : 'no rate tried broke them';
    return {
      scenario: c.scenario,
      summary: `${met}; ${broke} (${c.criteriaFile}; steps of ${c.stepDurationMs / 1000} s after ${c.warmupMs / 1000} s warm-up; search ended: ${c.endedBy})`,
      chart: lineChart(series, { title: `Latency vs rate — ${c.scenario}`, xLabel: 'asked rate (per second)', yLabel: 'ms' }),
      steps: c.steps.map((s) => ({
        rate: `${s.ratePerSecond}/s`,
        achieved: `${formatNumber(s.achievedRatePerSecond)}/s`,
        p50: ms(s.p50Ms),
        p90: ms(s.p90Ms),
        p99: ms(s.p99Ms),
        cores: s.cpuCores === undefined ? '-' : formatNumber(s.cpuCores),
        verdict: s.met ? 'met' : `broke: ${s.broken.join('; ')}`,
        cls: s.met ? 'pass' : 'fail',
      })),
    };
  });
}

/** Per scenario: each process's cost per 1000 requests or events, sidecars beside Dapr's published figure. */
export function costViews(results: RunResults): CostView[] {
  return results.scenarios
    .filter((s): s is typeof s & { cost: CostRecord } => s.cost !== undefined)
    .map(({ name, cost: c }) => ({
      scenario: name,
      unit: `${c.unit}s`,
      rows: c.processes.map((p) => ({
        process: p.process,
        role: p.role,
        perThousand: formatNumber(p.cpuSecondsPer1000),
        cores: formatNumber(p.avgCores),
        peakRss: `${formatNumber(p.peakRssMb)} MB`,
        published: p.role === 'sidecar' ? `~${DAPR_PUBLISHED.cpuSecondsPer1000} CPU-s, ~${DAPR_PUBLISHED.rssMb} MB` : '',
      })),
      budget:
        (c.machineCores > 0
          ? `CPU budget: the deployment used ${formatNumber(c.deploymentCores)} of ${c.machineCores} cores (${Math.round(c.cpuBudget * 100)} %)`
          : `CPU budget: the deployment used ${formatNumber(c.deploymentCores)} cores (its nodes' cores unknown)`) +
        (c.machineBusyShare !== undefined ? `; the machine was ${Math.round(c.machineBusyShare * 100)} % busy in all` : '') +
        (c.machineLimited
          ? '. The machine is the limit: all cores were busy, so a higher rate needs more cores, not a fix in the deployment.'
          : '.'),
      machineLimited: c.machineLimited,
      source: c.source ?? '/proc',
      ...(c.note ? { note: c.note } : {}),
    }));
}
