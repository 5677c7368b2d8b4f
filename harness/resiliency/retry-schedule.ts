import type { RetryPolicy } from './policy-definitions';
import { isRetriedStatus } from './status-code-match';

/**
 * When daprd retries and how often the callee is called, from a retry policy alone. daprd runs a retry policy
 * through cenkalti/backoff: `constant` waits `duration` before every retry; `exponential` draws each wait from
 * interval·[1-f, 1+f], starting at 500ms and multiplying the interval by 1.5 until it reaches maxInterval (the cap
 * is on the interval before jitter, so a wait can reach 1.5·maxInterval), and stops retrying once the next wait would
 * end more than maxElapsed (15m) after the first attempt began. maxRetries ≥ 0 caps the retries; -1 leaves only
 * those time bounds, so a constant policy with -1 retries until the caller gives up.
 */

export interface DelayBound {
  /** The back-off's interval before jitter. */
  intervalMs: number;
  minMs: number;
  maxMs: number;
}

/** Exponential back-off intervals are whole nanoseconds in Go; keep the same truncation. */
function exponentialIntervalsNs(retry: RetryPolicy): () => number {
  const maxNs = Math.round(retry.maxIntervalMs * 1e6);
  let currentNs = Math.round(retry.initialIntervalMs * 1e6);
  return () => {
    const now = currentNs;
    currentNs = currentNs >= maxNs / retry.multiplier ? maxNs : Math.trunc(currentNs * retry.multiplier);
    return now;
  };
}

function delaySource(retry: RetryPolicy): () => DelayBound {
  if (retry.policy === 'constant') {
    const d = Math.max(0, retry.durationMs);
    return () => ({ intervalMs: d, minMs: d, maxMs: d });
  }
  const next = exponentialIntervalsNs(retry);
  const f = retry.randomizationFactor;
  return () => {
    const intervalMs = next() / 1e6;
    return { intervalMs, minMs: intervalMs * (1 - f), maxMs: intervalMs * (1 + f) };
  };
}

/**
 * The waits before retries 1..n, fewer when maxRetries allows fewer. Exponential bounds are the jitter range
 * (to within a nanosecond); whether maxElapsed cuts the schedule short is `expectedAttempts`' business.
 */
export function retryDelaysMs(retry: RetryPolicy, n: number): DelayBound[] {
  const count = retry.maxRetries >= 0 ? Math.min(n, retry.maxRetries) : n;
  const next = delaySource(retry);
  const out: DelayBound[] = [];
  for (let i = 0; i < count; i++) out.push(next());
  return out;
}

export interface AttemptOptions {
  /** Failed calls before the callee succeeds; 'persistent' when it never does. */
  failures: number | 'persistent';
  /** Time each failed attempt takes, e.g. the timeout when the callee hangs. Counts against maxElapsed and withinMs. */
  attemptMs?: number;
  /** Count only attempts that start within this long of the first one (a caller's deadline, an observation window). */
  withinMs?: number;
  /** Status code of the failures; one the policy's `matching` does not list ends the call after its first attempt. */
  statusCode?: number;
}

export type AttemptLimit = 'no-retry' | 'matching' | 'success' | 'maxRetries' | 'maxElapsed' | 'window' | 'unlimited';

export interface AttemptExpectation {
  /** Calls the callee sees for one request; min === max unless jitter decides. Infinity: no bound. */
  min: number;
  max: number;
  /** What stops the retries. */
  limitedBy: AttemptLimit;
}

const STEADY_SEARCH_LIMIT = 200;

/** Retries (at most `cap`) whose attempt starts no later than `limitMs`, with waits taken from `pick`. */
function retriesWithin(retry: RetryPolicy, cap: number, limitMs: number, attemptMs: number, pick: (d: DelayBound) => number): number {
  const next = delaySource(retry);
  let elapsed = 0;
  let previous: number | undefined;
  for (let i = 1; i <= Math.min(cap, STEADY_SEARCH_LIMIT); i++) {
    const delay = pick(next());
    if (elapsed + attemptMs + delay > limitMs) return i - 1;
    elapsed += attemptMs + delay;
    if (delay === previous && i < cap) {
      // From here every retry costs the same: count the rest in one step.
      const step = attemptMs + delay;
      const more = step === 0 ? Infinity : Math.floor((limitMs - elapsed) / step);
      return Math.min(cap, i + more);
    }
    previous = delay;
  }
  return Math.min(cap, STEADY_SEARCH_LIMIT);
}

/**
 * Calls the callee sees for one request: min(failures, maxRetries) + 1, or maxRetries + 1 when it keeps failing,
 * further bounded by exponential back-off's maxElapsed and an optional window.
 */
export function expectedAttempts(retry: RetryPolicy | undefined, options: AttemptOptions): AttemptExpectation {
  if (!retry || retry.maxRetries === 0) return { min: 1, max: 1, limitedBy: 'no-retry' };
  if (options.statusCode !== undefined && !isRetriedStatus(retry.matching, options.statusCode))
    return { min: 1, max: 1, limitedBy: 'matching' };
  if (options.failures !== 'persistent' && options.failures <= 0) return { min: 1, max: 1, limitedBy: 'success' };
  const wanted = options.failures === 'persistent' ? Infinity : options.failures;
  const allowed = retry.maxRetries < 0 ? Infinity : retry.maxRetries;
  const cap = Math.min(wanted, allowed);
  const countLimit: AttemptLimit = wanted <= allowed ? 'success' : 'maxRetries';
  const attemptMs = Math.max(0, options.attemptMs ?? 0);
  const elapsedLimit = retry.policy === 'exponential' && retry.maxElapsedMs > 0 ? retry.maxElapsedMs : Infinity;
  const windowLimit = options.withinMs ?? Infinity;
  const limitMs = Math.min(elapsedLimit, windowLimit);
  if (limitMs === Infinity) {
    return { min: cap + 1, max: cap + 1, limitedBy: cap === Infinity ? 'unlimited' : countLimit };
  }
  const most = retriesWithin(retry, cap, limitMs, attemptMs, (d) => d.minMs);
  const least = retriesWithin(retry, cap, limitMs, attemptMs, (d) => d.maxMs);
  const timeLimit: AttemptLimit = windowLimit <= elapsedLimit ? 'window' : 'maxElapsed';
  return { min: least + 1, max: most + 1, limitedBy: least < cap ? timeLimit : countLimit };
}
