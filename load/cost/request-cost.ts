import type { CostRecord, MetricSample, ProcessCostRecord } from '../../harness/results/results-model';
import type { ProcessUsage } from '../scenarios/process-sampler';

/**
 * Dapr's published sidecar cost (docs.dapr.io, "Service invocation performance"): about 0.48 vCPU and 23 MB per
 * sidecar at 1000 requests/s, i.e. 0.48 CPU-seconds per 1000 requests.
 */
export const DAPR_PUBLISHED_SIDECAR = {
  cpuSecondsPer1000: 0.48,
  rssMb: 23,
  source: 'docs.dapr.io service invocation performance, 1000 req/s',
};

/** At or above this busy share of all cores, the machine, not the deployment, is what limits the run. */
export const MACHINE_BUSY_SHARE = 0.9;

export function roleOf(process: string): ProcessCostRecord['role'] {
  if (process === 'driver') return 'driver';
  if (process.endsWith('-daprd')) return 'sidecar';
  if (process === 'redis' || process === 'nats') return 'broker';
  return 'app';
}

/**
 * What each process cost per 1000 units of work (requests or events) over the sampled window, and what the whole
 * deployment (every process but the driver) used as a share of the machine's cores: the CPU budget.
 */
export function requestCost(input: {
  usage: ProcessUsage[];
  window: { seconds: number; machineBusyShare?: number };
  units: number;
  unit: CostRecord['unit'];
  machineCores: number;
  /** Where `usage` comes from, and what a reader should know of its precision. Default /proc, no note. */
  source?: { name: string; note?: string };
}): CostRecord {
  const { usage, window, units, machineCores } = input;
  const per1000 = (cpu: number): number => (units > 0 ? round3((cpu / units) * 1000) : 0);
  const processes: ProcessCostRecord[] = usage
    .map((u) => ({
      process: u.process,
      role: roleOf(u.process),
      cpuSeconds: round3(u.cpuSeconds),
      cpuSecondsPer1000: per1000(u.cpuSeconds),
      avgCores: window.seconds > 0 ? round3(u.cpuSeconds / window.seconds) : 0,
      peakRssMb: u.peakRssMb,
    }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const deploymentCores = round3(processes.filter((p) => p.role !== 'driver').reduce((n, p) => n + p.avgCores, 0));
  const record: CostRecord = {
    unit: input.unit,
    units,
    wallSeconds: round3(window.seconds),
    machineCores,
    deploymentCores,
    cpuBudget: machineCores > 0 ? round3(deploymentCores / machineCores) : 0,
    machineLimited: window.machineBusyShare !== undefined && window.machineBusyShare >= MACHINE_BUSY_SHARE,
    processes,
  };
  if (window.machineBusyShare !== undefined) record.machineBusyShare = round3(window.machineBusyShare);
  if (input.source) record.source = input.source.name;
  if (input.source?.note) record.note = input.source.note;
  return record;
}

/** `cost.cpu_seconds_per_1000` and `cost.peak_rss` per process, and `cost.cpu_budget`, tagged with the scenario. */
export function costMetrics(scenario: string, c: CostRecord): MetricSample[] {
  const out: MetricSample[] = [{ name: 'cost.cpu_budget', kind: 'gauge', tags: { scenario }, value: c.cpuBudget }];
  for (const p of c.processes) {
    const tags = { scenario, process: p.process };
    out.push({ name: 'cost.cpu_seconds_per_1000', kind: 'gauge', tags, value: p.cpuSecondsPer1000, unit: 's' });
    out.push({ name: 'cost.peak_rss', kind: 'gauge', tags, value: p.peakRssMb, unit: 'MB' });
  }
  return out;
}

/** The cost table for the console, each sidecar beside Dapr's published figure, and the CPU budget line. */
export function formatCost(scenario: string, c: CostRecord): string {
  const pub = DAPR_PUBLISHED_SIDECAR;
  const lines = [
    `${scenario} cost per 1000 ${c.unit}s (${c.units} ${c.unit}s over ${c.wallSeconds.toFixed(1)} s, from ${c.source ?? '/proc'}):`,
  ];
  for (const p of c.processes) {
    const ref = p.role === 'sidecar' ? `  (Dapr publishes ~${pub.cpuSecondsPer1000} CPU-s, ~${pub.rssMb} MB)` : '';
    lines.push(
      `  ${p.process.padEnd(28)} ${p.cpuSecondsPer1000.toFixed(3).padStart(7)} CPU-s  ${p.avgCores.toFixed(2)} cores  peak ${p.peakRssMb.toFixed(0).padStart(4)} MB${ref}`,
    );
  }
  lines.push(budgetLine(c));
  if (c.note) lines.push(c.note);
  return lines.join('\n');
}

export function budgetLine(c: CostRecord): string {
  if (c.machineCores <= 0) return `CPU budget: the deployment used ${c.deploymentCores.toFixed(2)} cores (its nodes' cores unknown)`;
  const busy = c.machineBusyShare !== undefined ? `; the machine was ${(c.machineBusyShare * 100).toFixed(0)} % busy in all` : '';
  const limit = c.machineLimited
    ? ' — THE MACHINE IS THE LIMIT: all cores were busy, so a higher rate needs more cores, not a fix in the deployment'
    : '';
  return `CPU budget: the deployment used ${c.deploymentCores.toFixed(2)} of ${c.machineCores} cores (${(c.cpuBudget * 100).toFixed(0)} %)${busy}${limit}`;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
