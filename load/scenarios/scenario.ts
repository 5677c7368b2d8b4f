import type { Progress } from '../../harness/console/progress';
import type { RunResults } from '../../harness/results/results-model';
import type { Deployment } from '../../harness/targets/deployment';
import type { ProgressSnapshot } from '../driver';
import { ProcessSampler, type ProcessSample } from './process-sampler';
import type { DrainPolicy } from './delivery-drain';

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
}

export const LOAD_DEFAULTS: LoadSettings = {
  ratePerSecond: 1000,
  durationMs: 60_000,
  warmupMs: 5_000,
  connections: 16,
  payloadBytes: 1024,
  drain: { kind: 'window', windowMs: 30_000 },
  lateAfterMs: 1000,
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

/** Samples the deployment's daprd and app processes while `work` runs, where the target has them on this machine. */
export async function withResourceSampling<T>(d: Deployment, work: () => Promise<T>): Promise<{ value: T; resources: ProcessSample[] }> {
  const processes = d.sampledProcesses?.().filter((p) => p.name !== 'redis' && p.name !== 'nats' && p.name !== 'sentry');
  const sampler = processes ? new ProcessSampler(processes) : undefined;
  sampler?.start();
  try {
    const value = await work();
    return { value, resources: sampler?.stop() ?? [] };
  } finally {
    sampler?.stop();
  }
}
