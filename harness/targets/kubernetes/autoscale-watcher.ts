import { Watch } from '@kubernetes/client-node';
import type { MetricSample } from '../../results/results-model';
import type { ClusterConnection } from './cluster-connection';

export interface ReplicaSample {
  /** Milliseconds since the watch started. */
  t: number;
  /** Pods the Deployment has (status.replicas). */
  replicas: number;
  /** Pods of those that are ready. */
  ready: number;
  /** What the HPA asks for (status.desiredReplicas); spec.replicas where the HPA has not said yet. */
  desired: number;
}

export interface AutoscaleTimeline {
  namespace: string;
  hpa: string;
  deployment: string;
  startedAt: string;
  minReplicas?: number;
  maxReplicas?: number;
  samples: ReplicaSample[];
  /** Named moments (load start, load end) in ms since the watch started. */
  marks: Record<string, number>;
  /** Most Ready pods at once: what the scale-out achieved. Pending pods serve nothing, so they do not count. */
  peakReplicas: number;
  /** Most pods at once, Pending ones included (what was asked for), beside it for context. */
  peakPods: number;
}

export interface AutoscaleSummary {
  /** Most Ready pods at once. */
  peakReplicas: number;
  /** ms from `from` (a mark, default the start) until `ready` first reached each target. */
  timeToReachMs: Record<string, number | null>;
  /** ms from `after` (a mark, default the peak) until pods were back down to minReplicas; null when they never were. */
  scaleBackMs: number | null;
}

interface ObjectState {
  replicas?: number;
  ready?: number;
  specReplicas?: number;
  desired?: number;
  minReplicas?: number;
  maxReplicas?: number;
}

const MAX_SAMPLES = 100_000;
const MAX_RESTARTS = 50;
const RESTART_DELAY_MS = 500;

/**
 * Watches an HPA and the Deployment it scales, recording a sample whenever replicas, ready pods or the HPA's
 * desired count change. The watches restart when the API server closes them (it does every few minutes), at
 * most MAX_RESTARTS times.
 */
export class AutoscaleWatcher {
  private readonly started = Date.now();
  private readonly samples: ReplicaSample[] = [];
  private readonly marks: Record<string, number> = {};
  private readonly state: ObjectState = {};
  private readonly aborts = new Set<AbortController>();
  private stopped = false;
  private restarts = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly conn: ClusterConnection,
    readonly namespace: string,
    readonly hpa: string,
    readonly deployment: string,
  ) {}

  async start(): Promise<this> {
    await Promise.all([this.watch('hpa'), this.watch('deployment')]);
    return this;
  }

  /** Records a named moment (e.g. "load-end") to measure from. */
  mark(name: string): void {
    this.marks[name] = Date.now() - this.started;
  }

  /** Resolves once a sample satisfies `predicate`, or rejects after `timeoutMs`. */
  waitFor(predicate: (s: ReplicaSample) => boolean, timeoutMs: number): Promise<ReplicaSample> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.samples.find(predicate);
        if (!hit) return false;
        cleanup();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `the autoscale watch of ${this.namespace}/${this.deployment} saw no matching sample within ${timeoutMs} ms (last: ${JSON.stringify(this.samples.at(-1) ?? null)})`,
          ),
        );
      }, timeoutMs);
      const listener = (): void => {
        check();
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(listener);
      };
      if (!check()) this.waiters.add(listener);
    });
  }

  timeline(): AutoscaleTimeline {
    return {
      namespace: this.namespace,
      hpa: this.hpa,
      deployment: this.deployment,
      startedAt: new Date(this.started).toISOString(),
      ...(this.state.minReplicas !== undefined ? { minReplicas: this.state.minReplicas } : {}),
      ...(this.state.maxReplicas !== undefined ? { maxReplicas: this.state.maxReplicas } : {}),
      samples: [...this.samples],
      marks: { ...this.marks },
      ...peaksOf(this.samples),
    };
  }

  async stop(): Promise<AutoscaleTimeline> {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
    return this.timeline();
  }

  private async watch(which: 'hpa' | 'deployment'): Promise<void> {
    if (this.stopped) return;
    const path =
      which === 'hpa'
        ? `/apis/autoscaling/v2/namespaces/${this.namespace}/horizontalpodautoscalers`
        : `/apis/apps/v1/namespaces/${this.namespace}/deployments`;
    const name = which === 'hpa' ? this.hpa : this.deployment;
    const controller = await new Watch(this.conn.kubeConfig).watch(
      path,
      { fieldSelector: `metadata.name=${name}` },
      (phase, obj) => {
        if (phase === 'DELETED') return;
        if (which === 'hpa') this.onHpa(obj);
        else this.onDeployment(obj);
      },
      () => {
        this.aborts.delete(controller);
        if (this.stopped || this.restarts >= MAX_RESTARTS) return;
        this.restarts++;
        setTimeout(() => void this.watch(which).catch(() => undefined), RESTART_DELAY_MS);
      },
    );
    if (this.stopped) controller.abort();
    else this.aborts.add(controller);
  }

  private onHpa(obj: { spec?: { minReplicas?: number; maxReplicas?: number }; status?: { desiredReplicas?: number } }): void {
    this.state.minReplicas = obj.spec?.minReplicas ?? 1;
    this.state.maxReplicas = obj.spec?.maxReplicas;
    // An HPA its controller has not reconciled yet reads desiredReplicas 0; only scale-to-zero HPAs mean it.
    const desired = obj.status?.desiredReplicas;
    if (desired !== undefined && (desired > 0 || this.state.minReplicas === 0)) this.state.desired = desired;
    this.record();
  }

  private onDeployment(obj: { spec?: { replicas?: number }; status?: { replicas?: number; readyReplicas?: number } }): void {
    this.state.specReplicas = obj.spec?.replicas;
    this.state.replicas = obj.status?.replicas ?? 0;
    this.state.ready = obj.status?.readyReplicas ?? 0;
    this.record();
  }

  private record(): void {
    if (this.state.replicas === undefined) return;
    const sample: ReplicaSample = {
      t: Date.now() - this.started,
      replicas: this.state.replicas,
      ready: this.state.ready ?? 0,
      desired: this.state.desired ?? this.state.specReplicas ?? this.state.replicas,
    };
    const last = this.samples.at(-1);
    if (last && last.replicas === sample.replicas && last.ready === sample.ready && last.desired === sample.desired) return;
    if (this.samples.length >= MAX_SAMPLES) return;
    this.samples.push(sample);
    for (const w of this.waiters) w();
  }
}

/**
 * The peak a scale-out reached counts Ready pods only: a Deployment scaled to 50 whose pods stay Pending (no node
 * fits them, the image does not pull) has not scaled out, and must not pass `autoscale.max_replicas>=50`.
 */
export function peaksOf(samples: ReplicaSample[]): { peakReplicas: number; peakPods: number } {
  let peakReplicas = 0;
  let peakPods = 0;
  for (const s of samples) {
    peakReplicas = Math.max(peakReplicas, s.ready);
    peakPods = Math.max(peakPods, s.replicas);
  }
  return { peakReplicas, peakPods };
}

/** Times to reach each target replica count and to scale back, from a recorded timeline. */
export function summarizeAutoscale(
  timeline: AutoscaleTimeline,
  targets: number[],
  opts: { from?: string; after?: string } = {},
): AutoscaleSummary {
  const from = opts.from ? (timeline.marks[opts.from] ?? 0) : 0;
  const timeToReachMs: Record<string, number | null> = {};
  for (const n of targets) {
    const hit = timeline.samples.find((s) => s.t >= from && s.ready >= n);
    timeToReachMs[String(n)] = hit ? hit.t - from : null;
  }
  const peakAt = timeline.samples.find((s) => s.ready === timeline.peakReplicas)?.t ?? 0;
  const after = opts.after ? (timeline.marks[opts.after] ?? peakAt) : peakAt;
  const floor = timeline.minReplicas ?? 1;
  const back = timeline.samples.find((s) => s.t >= after && s.replicas <= floor && timeline.peakReplicas > floor);
  return { peakReplicas: timeline.peakReplicas, timeToReachMs, scaleBackMs: back ? back.t - after : null };
}

/** The summary as results.json metrics (gauges tagged with the deployment and target count); max_replicas is Ready pods. */
export function autoscaleMetrics(timeline: AutoscaleTimeline, summary: AutoscaleSummary): MetricSample[] {
  const tags = { namespace: timeline.namespace, deployment: timeline.deployment };
  const out: MetricSample[] = [{ name: 'autoscale.max_replicas', kind: 'gauge', tags, value: summary.peakReplicas }];
  for (const [target, ms] of Object.entries(summary.timeToReachMs)) {
    if (ms !== null)
      out.push({ name: 'autoscale.time_to_reach', kind: 'gauge', tags: { ...tags, replicas: target }, value: ms, unit: 'ms' });
  }
  if (summary.scaleBackMs !== null)
    out.push({ name: 'autoscale.scale_back_time', kind: 'gauge', tags, value: summary.scaleBackMs, unit: 'ms' });
  return out;
}

/** The replicas at `tMs` since the start, for merging into a scenario's per-second timeline. */
export function replicasAt(timeline: AutoscaleTimeline, tMs: number): ReplicaSample | undefined {
  let current: ReplicaSample | undefined;
  for (const s of timeline.samples) {
    if (s.t > tMs) break;
    current = s;
  }
  return current;
}
