import type { ResourceUsageSource, UsageReading } from '../../harness/targets/deployment';
import { integrateReadings, type IntegratedUsage } from './usage-integration';

/** Often enough to see each of metrics-server's windows (10 s at its fastest) before the next replaces it. */
export const USAGE_POLL_MS = 3_000;

export interface SampledUsage extends IntegratedUsage {
  source: string;
  seconds: number;
  nodeCores?: number;
  /** Why no reading came, when none did (the first read's error). */
  error?: string;
}

/**
 * Reads a deployment's usage source (metrics-server on Kubernetes) from start until stop and integrates what it
 * read over that span. A failed read is kept and retried at the next poll; a run with no reading at all says why.
 */
export class UsageSampler {
  private readonly readings: UsageReading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  private startedAt = 0;
  private nodeCores: number | undefined;
  private error: string | undefined;

  constructor(
    private readonly source: ResourceUsageSource,
    private readonly intervalMs = USAGE_POLL_MS,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.poll();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<SampledUsage> {
    const endedAt = Date.now();
    clearInterval(this.timer);
    this.timer = undefined;
    this.poll();
    await this.pending;
    const integrated = integrateReadings(this.readings, this.startedAt, endedAt);
    return {
      ...integrated,
      source: this.source.source,
      seconds: (endedAt - this.startedAt) / 1000,
      ...(this.nodeCores !== undefined ? { nodeCores: this.nodeCores } : {}),
      ...(integrated.usage.length === 0 && this.error ? { error: this.error } : {}),
    };
  }

  private poll(): void {
    // One read at a time: a slow API server must not pile reads up.
    this.pending = this.pending.then(async () => {
      try {
        const { readings, nodeCores } = await this.source.read();
        this.readings.push(...readings);
        if (nodeCores !== undefined) this.nodeCores = nodeCores;
      } catch (err) {
        this.error ??= err instanceof Error ? err.message : String(err);
      }
    });
  }
}

/** What a reader must know of figures built from metrics-server's readings: how coarse they are. */
export function coarseUsageNote(u: SampledUsage): string {
  const window = u.resolutionSeconds > 0 ? `${u.resolutionSeconds.toFixed(0)} s` : 'its';
  return (
    `Coarse: ${u.source} averages each container's CPU over ${window} windows, so each figure is good to about one window's ` +
    `worth of CPU, not to the digits shown; its readings covered ${Math.round(u.coverage * 100)} % of the ${u.seconds.toFixed(0)} s ` +
    `sampled (the rest carries their average), and peak memory is the highest working set it read, not a true peak.`
  );
}
