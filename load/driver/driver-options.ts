import { usageError } from '../../harness/errors/harness-error';
import { checkedTarget } from './loopback-guard';

/** One linear ramp of a `ramping` model, k6 ramping-arrival-rate style: from the previous rate to the target. */
export interface RampStage {
  durationMs: number;
  targetRatePerSecond: number;
}

/**
 * How requests arrive.
 * - `open`: a constant arrival rate, independent of how fast answers come (users do not wait for each other).
 * - `ramping`: the arrival rate moves linearly from `startRatePerSecond` (default 0) through each stage's target.
 * - `closed`: every connection sends its next request as soon as the previous one is answered.
 */
export type LoadModel =
  { kind: 'open'; ratePerSecond: number } | { kind: 'ramping'; startRatePerSecond?: number; stages: RampStage[] } | { kind: 'closed' };

export interface DriverRequest {
  /** Default GET. */
  method?: string;
  /** Appended to the base URL's path. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * When the i-th request was meant to go out and when it actually does, in epoch ms read off the driver's monotonic
 * clock (`epochNow()`), so a scenario can stamp what it sends with the same times
 * the driver measures from. In the closed model there is no schedule and `intendedAt` equals `dispatchedAt`.
 */
export interface RequestTiming {
  /** The arrival schedule's slot for this request: later queueing for a connection does not move it. */
  intendedAt: number;
  /** Now: the request is being built to be handed to a connection. */
  dispatchedAt: number;
}

/** Returns an error kind (e.g. `http_500`, `bad_payload`) or undefined for a success. */
export type ClassifyResponse = (status: number, body: string) => string | undefined;

export interface ProgressSnapshot {
  phase: 'warmup' | 'run' | 'drain';
  /** Since the driver started, warm-up included. */
  elapsedMs: number;
  sent: number;
  completed: number;
  errors: number;
  dropped: number;
  inFlight: number;
  /** Requests sent during the last second. */
  ratePerSecond: number;
  /** Corrected latency of the last second's answers, when there were any. */
  p99Ms?: number;
}

export interface DriverOptions {
  /** Base URL; must be loopback unless `allowNonLoopback`. */
  url: string;
  /** Sockets to the target. Default 16. */
  connections?: number;
  /** Requests in flight per socket. Default 1. */
  pipelining?: number;
  model: LoadModel;
  /** Measured time after warm-up. Default 10 000 for open/closed; for ramping the sum of the stages (a given value caps it). */
  durationMs?: number;
  /** Traffic before the measurement, at the model's starting rate; excluded from every figure. Default 0. */
  warmupMs?: number;
  /** Hard bound on requests admitted, warm-up included. Default 10 000 000 (a safety net, not a target). */
  maxRequests?: number;
  /**
   * Open models: cap on requests waiting for a connection or in flight. An arrival beyond it is not sent and is
   * counted in `dropped`. Default 10 000.
   */
  maxInFlight?: number;
  /** Per request, from send to the end of the response. Default 10 000. */
  timeoutMs?: number;
  /** The i-th request (0-based, warm-up included), built as it is sent. Default GET of the base URL. */
  request?: (i: number, timing: RequestTiming) => DriverRequest;
  /** Default: 2xx succeeds, any other status is `http_<status>`. Giving one makes the driver read response bodies. */
  classify?: ClassifyResponse;
  /**
   * Called once per answered or failed request with its index, so a scenario can keep its own record of what the
   * target acknowledged (e.g. which published events it accepted). `status` is undefined for transport failures.
   */
  onOutcome?: (index: number, outcome: { status?: number; measured: boolean }) => void;
  /** Default false: only loopback targets. */
  allowNonLoopback?: boolean;
  /** Stops scheduling at once; in-flight requests get `abortGraceMs`, and the result is marked partial. */
  signal?: AbortSignal;
  /** Called at most once per second. */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** Default 5 000. */
  abortGraceMs?: number;
}

export interface ResolvedDriverOptions {
  target: URL;
  connections: number;
  pipelining: number;
  model: LoadModel;
  durationMs: number;
  warmupMs: number;
  maxRequests: number;
  maxInFlight: number;
  timeoutMs: number;
  request: (i: number, timing: RequestTiming) => DriverRequest;
  classify?: ClassifyResponse;
  onOutcome?: (index: number, outcome: { status?: number; measured: boolean }) => void;
  signal?: AbortSignal;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  abortGraceMs: number;
  /** Past this (since start) every remaining request is abandoned and the result is partial. */
  hardDeadlineMs: number;
}

export const DRIVER_DEFAULTS = {
  connections: 16,
  pipelining: 1,
  durationMs: 10_000,
  warmupMs: 0,
  maxRequests: 10_000_000,
  maxInFlight: 10_000,
  timeoutMs: 10_000,
  abortGraceMs: 5_000,
} as const;

function invalid(name: string, value: unknown, want: string): never {
  throw usageError('LOAD_INVALID_OPTION', `load option ${name} is ${JSON.stringify(value)}`, `give ${name} as ${want}`);
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) invalid(name, value, 'a whole number ≥ 1');
  return value;
}

function nonNegative(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) invalid(name, value, 'a finite number ≥ 0');
  return value;
}

function positive(name: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) invalid(name, value, 'a finite number > 0');
  return value;
}

function checkedModel(model: unknown): LoadModel {
  const m = model as LoadModel | undefined;
  if (!m || typeof m !== 'object')
    invalid('model', model, "{ kind: 'open', ratePerSecond } | { kind: 'ramping', stages } | { kind: 'closed' }");
  switch (m.kind) {
    case 'open':
      return { kind: 'open', ratePerSecond: positive('model.ratePerSecond', m.ratePerSecond) };
    case 'ramping': {
      if (!Array.isArray(m.stages) || m.stages.length === 0)
        invalid('model.stages', m.stages, 'a non-empty list of { durationMs, targetRatePerSecond }');
      const stages = m.stages.map((s, i) => ({
        durationMs: positive(`model.stages[${i}].durationMs`, s?.durationMs),
        targetRatePerSecond: nonNegative(`model.stages[${i}].targetRatePerSecond`, s?.targetRatePerSecond, Number.NaN),
      }));
      stages.forEach(
        (s, i) =>
          Number.isNaN(s.targetRatePerSecond) && invalid(`model.stages[${i}].targetRatePerSecond`, undefined, 'a finite number ≥ 0'),
      );
      return { kind: 'ramping', startRatePerSecond: nonNegative('model.startRatePerSecond', m.startRatePerSecond, 0), stages };
    }
    case 'closed':
      return { kind: 'closed' };
    default:
      return invalid('model.kind', (m as { kind?: unknown }).kind, "'open', 'ramping' or 'closed'");
  }
}

/** Checks every option once, at the edge, and fills in the defaults. Throws a usage error naming the bad option. */
export function resolveDriverOptions(options: DriverOptions): ResolvedDriverOptions {
  const target = checkedTarget(options.url, options.allowNonLoopback === true);
  const model = checkedModel(options.model);
  const stagesMs = model.kind === 'ramping' ? model.stages.reduce((n, s) => n + s.durationMs, 0) : undefined;
  const givenDuration = options.durationMs === undefined ? undefined : positive('durationMs', options.durationMs);
  const durationMs = stagesMs !== undefined ? Math.min(stagesMs, givenDuration ?? Infinity) : (givenDuration ?? DRIVER_DEFAULTS.durationMs);
  const warmupMs = nonNegative('warmupMs', options.warmupMs, DRIVER_DEFAULTS.warmupMs);
  const timeoutMs = positive('timeoutMs', options.timeoutMs, DRIVER_DEFAULTS.timeoutMs);
  const abortGraceMs = nonNegative('abortGraceMs', options.abortGraceMs, DRIVER_DEFAULTS.abortGraceMs);
  if (options.request !== undefined && typeof options.request !== 'function')
    invalid('request', typeof options.request, 'a function (i) => ({ method, path, headers?, body? })');
  if (options.classify !== undefined && typeof options.classify !== 'function')
    invalid('classify', typeof options.classify, 'a function (status, body) => errorKind | undefined');
  return {
    target,
    connections: positiveInteger('connections', options.connections, DRIVER_DEFAULTS.connections),
    pipelining: positiveInteger('pipelining', options.pipelining, DRIVER_DEFAULTS.pipelining),
    model,
    durationMs,
    warmupMs,
    maxRequests: positiveInteger('maxRequests', options.maxRequests, DRIVER_DEFAULTS.maxRequests),
    maxInFlight: positiveInteger('maxInFlight', options.maxInFlight, DRIVER_DEFAULTS.maxInFlight),
    timeoutMs,
    request: options.request ?? (() => ({ method: 'GET', path: '' })),
    classify: options.classify,
    onOutcome: options.onOutcome,
    signal: options.signal,
    onProgress: options.onProgress,
    abortGraceMs,
    // Every request ends by its own timeout, so the schedule plus one timeout plus the grace is always enough.
    hardDeadlineMs: warmupMs + durationMs + timeoutMs + abortGraceMs,
  };
}
