import type { Progress } from '../../harness/console/progress';
import type { MetricSample, ScenarioResult } from '../../harness/results/results-model';
import {
  autoscaleMetrics,
  replicasAt,
  summarizeAutoscale,
  type AutoscaleSummary,
  type AutoscaleTimeline,
  type ReplicaSample,
} from '../../harness/targets/kubernetes/autoscale-watcher';
import type { AutoscalingControl } from '../../harness/targets/deployment';

/** What makes the HPA scale: request traffic through the sidecars on a real cluster, simulated CPU in the test cluster. */
export interface AutoscaleLoad {
  /** Said in the results, e.g. "invoke at 1000/s through task-service's sidecar". */
  description: string;
  /** Starts the load; resolves once it is on. */
  start(): Promise<void>;
  /** Ends it; resolves once it is off, with what the load itself measured when it measures anything. */
  stop(): Promise<AutoscaleLoadOutcome | void>;
}

/** What the load reported about itself: kept in the results beside the replica timeline, never dropped. */
export interface AutoscaleLoadOutcome {
  /** E.g. the driver's `autoscale.load.*` samples: did the load asked for actually reach the workload? */
  metrics: MetricSample[];
  /** Recorded in the scenario's settings, prefixed `load.`. */
  settings: Record<string, number | string | boolean>;
  /** Set when the load failed outright (its driver rejected); the replica figures then say little about it. */
  error?: string;
}

export interface KubernetesAutoscaleOptions {
  autoscaling: AutoscalingControl;
  /** The HorizontalPodAutoscaler to watch (k8s/autoscaling has sample-app and task-service). */
  hpa: string;
  /** The Deployment it scales; default: named like the HPA. */
  workload?: string;
  load: AutoscaleLoad;
  /** Replica counts whose time to reach is reported; default 2, 5, 10, 25, 50 up to the HPA's maxReplicas. */
  targets?: number[];
  /** The load stays on until this many pods are ready (default: the HPA's maxReplicas) or `loadMs` has passed. */
  untilReplicas?: number;
  loadMs: number;
  /** After the load, how long to wait for the pods to come back down to minReplicas. */
  scaleBackMs: number;
  progress: Progress;
  signal?: AbortSignal;
  /** How long to wait for the first reading of the HPA and its Deployment. Default 30 s. */
  firstSampleTimeoutMs?: number;
}

export interface KubernetesAutoscaleResult {
  timeline: AutoscaleTimeline;
  summary: AutoscaleSummary;
  /** autoscale.max_replicas, autoscale.time_to_reach{replicas}, autoscale.scale_back_time. */
  metrics: MetricSample[];
  scenario: ScenarioResult;
  /** Whether ready pods reached `untilReplicas` while the load was on. */
  reachedTarget: boolean;
  /** Whether pods came back down to minReplicas within `scaleBackMs`. */
  scaledBack: boolean;
  /** What the load reported when it was turned off; its metrics are already in `metrics`. */
  load?: AutoscaleLoadOutcome;
}

const DEFAULT_TARGETS = [2, 5, 10, 25, 50];
const FIRST_SAMPLE_TIMEOUT_MS = 30_000;

/**
 * The Kubernetes side of the autoscale scenario: records the replica timeline of an HPA and its Deployment while
 * `load` is on and after it stops. Every wait is bounded; a target not reached in time is a result (null time to
 * reach, reachedTarget false), not an error.
 */
export async function runKubernetesAutoscale(opts: KubernetesAutoscaleOptions): Promise<KubernetesAutoscaleResult> {
  const workload = opts.workload ?? opts.hpa;
  const watcher = await opts.autoscaling.watch(opts.hpa, workload);
  let loadOn = false;
  try {
    const first = await watcher.waitFor(() => true, opts.firstSampleTimeoutMs ?? FIRST_SAMPLE_TIMEOUT_MS);
    const known = watcher.timeline();
    const max = known.maxReplicas ?? Math.max(...(opts.targets ?? DEFAULT_TARGETS));
    const floor = known.minReplicas ?? 1;
    const until = Math.min(opts.untilReplicas ?? max, max);
    opts.progress.log(
      `autoscale: ${opts.autoscaling.namespace}/${workload} at ${first.replicas} pods (HPA ${opts.hpa}: ${floor}–${max}); load: ${opts.load.description}`,
    );

    watcher.mark('load-start');
    await opts.load.start();
    loadOn = true;
    const reachedTarget = await reached(
      watcher.waitFor((s) => s.ready >= until, opts.loadMs),
      opts.signal,
    );
    watcher.mark('load-end');
    const load = (await opts.load.stop()) ?? undefined;
    loadOn = false;
    const peak = watcher.timeline().peakReplicas;
    opts.progress.log(
      `autoscale: ${reachedTarget ? `reached ${until} ready pods` : `peaked at ${peak} pods (target ${until} not reached within ${opts.loadMs / 1000}s)`}; load off, ${opts.scaleBackMs > 0 ? `waiting for ${floor}` : 'not waiting for the scale-back (--scale-back 0)'}`,
    );
    const endedAt = watcher.timeline().marks['load-end'] ?? 0;
    const scaledBack =
      opts.scaleBackMs > 0 &&
      (await reached(
        watcher.waitFor((s) => s.t >= endedAt && s.replicas <= floor, opts.scaleBackMs),
        opts.signal,
      ));

    const timeline = await watcher.stop();
    const targets = (opts.targets ?? DEFAULT_TARGETS).filter((n) => n <= max);
    const summary = summarizeAutoscale(timeline, targets, { from: 'load-start', after: 'load-end' });
    const settings: Record<string, number | string | boolean> = {
      target: 'kubernetes',
      hpa: opts.hpa,
      deployment: workload,
      load: opts.load.description,
      minReplicas: floor,
      maxReplicas: max,
      untilReplicas: until,
      loadMs: opts.loadMs,
      scaleBackMs: opts.scaleBackMs,
      reachedTarget,
      scaledBack,
      peakReadyReplicas: summary.peakReplicas,
      peakPods: timeline.peakPods,
    };
    for (const [k, v] of Object.entries(load?.settings ?? {})) settings[`load.${k}`] = v;
    if (load?.error !== undefined) settings['load.error'] = load.error;
    const metrics = [...autoscaleMetrics(timeline, summary), ...(load?.metrics ?? [])];
    const result: KubernetesAutoscaleResult = {
      timeline,
      summary,
      metrics,
      scenario: { name: 'autoscale', settings, timeline: perSecond(timeline) },
      reachedTarget,
      scaledBack,
    };
    if (load) result.load = load;
    return result;
  } finally {
    if (loadOn) await opts.load.stop().catch(() => undefined);
    await watcher.stop();
  }
}

/** True when the wait matched, false when it timed out; an abort ends the scenario. */
async function reached(wait: Promise<ReplicaSample>, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) throw signal.reason;
  const aborted = new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
  aborted.catch(() => undefined);
  return Promise.race([
    wait.then(
      () => true,
      () => false,
    ),
    aborted,
  ]);
}

/** The replica counts once a second, in the scenario timeline's shape (no requests of its own: the load's are elsewhere). */
export function perSecond(timeline: AutoscaleTimeline): ScenarioResult['timeline'] {
  const lastMs = timeline.samples.at(-1)?.t ?? 0;
  const points: ScenarioResult['timeline'] = [];
  for (let t = 0; t * 1000 <= lastMs; t++) {
    const s = replicasAt(timeline, t * 1000);
    if (s) points.push({ t, requests: 0, errors: 0, replicas: s.replicas, ready: s.ready, desired: s.desired });
  }
  return points;
}
