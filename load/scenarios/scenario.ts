import type { Progress } from '../../harness/console/progress';
import type { RunResults } from '../../harness/results/results-model';
import type { Deployment } from '../../harness/targets/deployment';
import type { ProgressSnapshot } from '../driver';
import { ProcessSampler, type ProcessSample } from './process-sampler';
import type { DrainPolicy } from './delivery-drain';
import { availableParallelism } from 'node:os';
import type { CostRecord, ScenarioResult } from '../../harness/results/results-model';
import { costMetrics, formatCost, requestCost } from '../cost/request-cost';
import { coarseUsageNote, UsageSampler } from '../cost/usage-sampler';

export interface LoadSettings {
  ratePerSecond: number;
  durationMs: number;
  warmupMs: number;
  connections: number;
  payloadBytes: number;
  /** Pub/sub: how long to wait for deliveries after the last publish. */
  drain: DrainPolicy;
  /** Pub/sub: a delivery later than this after its publish counts as late. */
  lateAfterMs: number;
  /** Autoscale: the longest the load stays on waiting for the HPA's maxReplicas to be Ready (it stops once they are). */
  autoscaleMs: number;
  /** Autoscale: how long to wait for the HPA to come back to minReplicas after the load (0: do not wait). */
  scaleBackMs: number;
}

export const LOAD_DEFAULTS: LoadSettings = {
  ratePerSecond: 1000,
  durationMs: 60_000,
  warmupMs: 5_000,
  connections: 16,
  payloadBytes: 1024,
  drain: { kind: 'window', windowMs: 30_000 },
  lateAfterMs: 1000,
  // 1 → 50 takes six doublings 15 s apart at best; pods starting on a busy node take most of the time.
  autoscaleMs: 600_000,
  // k8s/autoscaling waits 5 min before scaling down, then at most halves a minute: 50 → 1 takes about 11 min.
  scaleBackMs: 720_000,
};

export interface ScenarioContext {
  deployment: Deployment;
  results: RunResults;
  settings: LoadSettings;
  progress: Progress;
  signal: AbortSignal;
  save(): void;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<void>;
}

/** A progress line from the driver's once-a-second snapshot. */
export function progressLine(scenario: string, s: ProgressSnapshot): string {
  const p99 = s.p99Ms !== undefined ? ` p99 ${s.p99Ms.toFixed(1)} ms` : '';
  return `${scenario} ${s.phase} ${(s.elapsedMs / 1000).toFixed(0)}s · ${s.ratePerSecond.toFixed(0)}/s · sent ${s.sent} · errors ${s.errors}${s.dropped ? ` · dropped ${s.dropped}` : ''}${p99}`;
}

/**
 * Samples the deployment's processes (daprd, apps, Redis, NATS) from `start` until `stop`: from /proc where the
 * target has them on this machine, from its usage source (metrics-server) where they run in a cluster; the
 * driver's own process always from /proc. `stop` gives the /proc samples and, given how many requests or events
 * the work was, what each process cost per 1000 of them.
 */
export function startResourceSampling(d: Deployment): {
  stop(units: number, unit: CostRecord['unit']): Promise<{ resources: ProcessSample[]; cost?: CostRecord; problem?: string }>;
} {
  const deployed = d.sampledProcesses?.().filter((p) => p.name !== 'sentry');
  const remote = !deployed && d.resourceUsage ? new UsageSampler(d.resourceUsage) : undefined;
  const sampler = deployed || remote ? new ProcessSampler([...(deployed ?? []), { name: 'driver', pid: process.pid }]) : undefined;
  sampler?.start();
  remote?.start();
  return {
    async stop(units, unit) {
      if (!sampler) return { resources: [] };
      const resources = sampler.stop();
      if (!remote)
        return {
          resources,
          cost: requestCost({ usage: sampler.usage(), window: sampler.window(), units, unit, machineCores: availableParallelism() }),
        };
      const cluster = await remote.stop();
      // The /proc samples are the driver's alone here: not the deployment's resource timeline.
      if (cluster.usage.length === 0)
        return { resources: [], problem: `no cost table: ${cluster.error ?? `${cluster.source} had no reading of the deployment's pods`}` };
      return {
        resources: [],
        cost: requestCost({
          usage: [...cluster.usage, ...sampler.usage()],
          window: { seconds: cluster.seconds },
          units,
          unit,
          machineCores: cluster.nodeCores ?? 0,
          source: { name: cluster.source, note: coarseUsageNote(cluster) },
        }),
      };
    },
  };
}

/** `startResourceSampling` around `work`; `units` says how many requests the work's result stands for. */
export async function withResourceSampling<T>(
  d: Deployment,
  work: () => Promise<T>,
  units: (value: T) => number,
): Promise<{ value: T; resources: ProcessSample[]; cost?: CostRecord; problem?: string }> {
  const sampling = startResourceSampling(d);
  let value: T;
  try {
    value = await work();
  } catch (err) {
    await sampling.stop(0, 'request');
    throw err;
  }
  return { value, ...(await sampling.stop(units(value), 'request')) };
}

/** Puts a scenario's cost on its record and in the metrics, and prints it. */
export function recordCost(ctx: ScenarioContext, scenario: ScenarioResult, cost: CostRecord | undefined, problem?: string): void {
  if (problem) ctx.progress.log(`${scenario.name}: ${problem}`);
  if (!cost) return;
  scenario.cost = cost;
  ctx.results.metrics.push(...costMetrics(scenario.name, cost));
  ctx.progress.log(formatCost(scenario.name, cost));
}
