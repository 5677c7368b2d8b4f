import { usageError } from '../../harness/errors/harness-error';
import type { MetricSample, ScenarioResult } from '../../harness/results/results-model';
import type { LatencyBucket, LatencySummary } from './latency-recorder';
import type { TimelinePoint } from './timeline';
import type { DriverHealth } from './driver-health';

export type StopReason = 'completed' | 'maxRequests' | 'aborted' | 'deadline';

/** Every count is of the measured window only; warm-up has its own counts. */
export interface DriverTotals {
  /** Handed to a connection. */
  sent: number;
  /** Answered, or failed in transport. `ok + errors`. */
  completed: number;
  ok: number;
  errors: number;
  /**
   * Of the errors, requests the driver gave up on after `timeoutMs` (error kind `timeout`). Each is also in the
   * latency figures, at the time the driver gave up.
   */
  timeouts: number;
  /** Open models: arrivals not sent because `maxInFlight` requests were already waiting or in flight. */
  dropped: number;
  /** Admitted but never completed: still queued or in flight when the run stopped (abort, or the target's backlog at the deadline). */
  unfinished: number;
  errorsByKind: Record<string, number>;
}

export interface DriverResult {
  model: 'open' | 'ramping' | 'closed';
  settings: Record<string, number | string | boolean>;
  /**
   * True when the run was cut short by an abort: the figures cover what happened until then. A run that reaches its
   * hard deadline is complete: the target could not keep up, and what it never answered is `unfinished`.
   */
  partial: boolean;
  stopReason: StopReason;
  startedAt: string;
  /** Length of the measured sending window (warm-up excluded, drain excluded). */
  measuredMs: number;
  totals: DriverTotals;
  warmup: { sent: number; completed: number; dropped: number };
  /** Open models: mean rate the schedule asked for over the measured window. */
  requestedRatePerSecond?: number;
  /** Measured requests sent per second of the measured window. */
  achievedRatePerSecond: number;
  /**
   * Latency of answered requests (any status) and of timed-out ones (at the time the driver gave up, at least
   * `timeoutMs`), ms. `corrected` counts from the time the schedule meant the request
   * to go out, so waiting for a busy connection is included as a user would feel it; `uncorrected` counts from
   * the actual send (service time). In the closed model there is no schedule and the two are the same.
   */
  latency: { corrected: LatencySummary; uncorrected: LatencySummary };
  histogram: { corrected: LatencyBucket[]; uncorrected: LatencyBucket[] };
  timeline: TimelinePoint[];
  /** The driver's own lateness, event-loop delay and CPU, and whether it, not the target, set the pace. */
  driver: DriverHealth;
}

/** Share of requests that succeeded; dropped and unfinished requests count against it, never silently aside. */
export function successRate(result: DriverResult): { rate: number; passes: number; fails: number } {
  const t = result.totals;
  const fails = t.errors + t.dropped + t.unfinished;
  const total = t.ok + fails;
  return { rate: total === 0 ? 0 : t.ok / total, passes: t.ok, fails };
}

function trendStats(s: LatencySummary): Record<string, number> {
  return { min: s.min, avg: s.mean, p50: s.p50, p90: s.p90, p99: s.p99, 'p99.9': s['p99.9'], max: s.max };
}

/**
 * k6-style samples named `<name>.success_rate`, `.latency` (corrected), `.latency_uncorrected`, `.requests`,
 * `.errors`, `.timeouts`, `.errors_by_kind` (tag `kind`), `.dropped` and `.achieved_rate`, so criteria such as
 * `state.success_rate: ['rate>=0.995']` read straight off a driver run.
 */
export function toMetricSamples(name: string, result: DriverResult, tags: Record<string, string> = {}): MetricSample[] {
  // results.json metric names are dotted lower-case words; say so here rather than as a schema error later.
  if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(name)) {
    throw usageError(
      'LOAD_INVALID_METRIC_NAME',
      `metric prefix ${JSON.stringify(name)} is not dotted lower-case words`,
      'name it like "state" or "pubsub.publish"',
    );
  }
  const success = successRate(result);
  const t = result.totals;
  const samples: MetricSample[] = [
    { name: `${name}.success_rate`, kind: 'rate', tags: { ...tags }, rate: success.rate, passes: success.passes, fails: success.fails },
    { name: `${name}.requests`, kind: 'counter', tags: { ...tags }, count: t.sent },
    { name: `${name}.errors`, kind: 'counter', tags: { ...tags }, count: t.errors },
    { name: `${name}.timeouts`, kind: 'counter', tags: { ...tags }, count: t.timeouts },
    { name: `${name}.dropped`, kind: 'counter', tags: { ...tags }, count: t.dropped },
    { name: `${name}.achieved_rate`, kind: 'gauge', tags: { ...tags }, value: result.achievedRatePerSecond, unit: '1/s' },
  ];
  if (result.latency.corrected.count > 0) {
    samples.push({
      name: `${name}.latency`,
      kind: 'trend',
      tags: { ...tags },
      unit: 'ms',
      count: result.latency.corrected.count,
      stats: trendStats(result.latency.corrected),
    });
    samples.push({
      name: `${name}.latency_uncorrected`,
      kind: 'trend',
      tags: { ...tags },
      unit: 'ms',
      count: result.latency.uncorrected.count,
      stats: trendStats(result.latency.uncorrected),
    });
  }
  for (const [kind, count] of Object.entries(t.errorsByKind).sort(([a], [b]) => a.localeCompare(b))) {
    samples.push({ name: `${name}.errors_by_kind`, kind: 'counter', tags: { ...tags, kind }, count });
  }
  const h = result.driver;
  const driverTags = { ...tags, family: name };
  samples.push({
    name: 'load.driver_limited',
    kind: 'gauge',
    tags: driverTags,
    value: h.limited ? 1 : 0,
    ...(h.limited ? { note: `driver-limited: ${h.reasons.join('; ')}` } : {}),
  });
  samples.push({ name: 'load.driver_cpu', kind: 'gauge', tags: driverTags, value: h.cpuCores, unit: 'cores' });
  samples.push({
    name: 'load.driver_lateness',
    kind: 'trend',
    tags: driverTags,
    unit: 'ms',
    stats: { p99: h.latenessP99Ms, max: h.latenessMaxMs },
  });
  return samples;
}

/**
 * The scenario record for the report: the timeline with error kinds flattened to `errors.<kind>` fields, and the
 * histograms — `corrected` and `uncorrected` for open models, one `latency` series for the closed model.
 */
export function toScenarioResult(
  name: string,
  result: DriverResult,
  extraSettings: Record<string, number | string | boolean> = {},
): ScenarioResult {
  const timeline = result.timeline.map((p) => {
    const point: ScenarioResult['timeline'][number] = {
      t: p.t,
      requests: p.requests,
      errors: p.errors,
      ratePerSecond: p.ratePerSecond,
      dropped: p.dropped,
    };
    if (p.p50 !== undefined) point.p50 = p.p50;
    if (p.p99 !== undefined) point.p99 = p.p99;
    for (const [kind, count] of Object.entries(p.errorsByKind)) point[`errors.${kind}`] = count;
    return point;
  });
  const histograms: Record<string, { le: number; count: number }[]> =
    result.model === 'closed'
      ? { latency: result.histogram.uncorrected }
      : { corrected: result.histogram.corrected, uncorrected: result.histogram.uncorrected };
  return {
    name,
    settings: { ...result.settings, ...extraSettings, partial: result.partial, stopReason: result.stopReason },
    timeline,
    histograms,
  };
}
