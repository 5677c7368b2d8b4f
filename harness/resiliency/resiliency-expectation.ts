import { formatGoDuration } from './duration';
import type { CircuitBreakerPolicy, RetryPolicy, TimeoutPolicy } from './policy-definitions';
import type { EffectivePolicy } from './resiliency-policy';
import { expectedAttempts, type AttemptExpectation, type AttemptLimit } from './retry-schedule';
import { formatCodeRanges } from './status-code-match';
import { tripPoint, type TripPoint } from './trip-expression';

/**
 * What a suite should observe under an effective policy. daprd wraps a call as retry( breaker( timeout( call ) ) ):
 * the timeout bounds each attempt, every attempt (timed out or failed) counts towards the breaker, and an open
 * breaker ends the retries at once.
 */

export interface Range {
  min: number;
  max: number;
}

/** The per-attempt timeout, or undefined when none applies (no policy, or a policy of 0). */
export function timeoutMs(policy: EffectivePolicy | TimeoutPolicy | undefined): number | undefined {
  const timeout = policy && 'timeoutMs' in policy ? policy : policy?.timeout;
  return timeout && timeout.timeoutMs > 0 ? timeout.timeoutMs : undefined;
}

export interface BreakerExpectation {
  /** Failures in a row after which a fresh breaker opens; undefined when it never does or cannot be told. */
  tripAfter?: number;
  trip: TripPoint;
  /** How long it stays open before letting trial calls through. */
  openMs: number;
  /** Period after which a closed breaker forgets its counts; 0 = never. */
  intervalMs: number;
  /** Trial calls let through while half-open. */
  halfOpenMaxRequests: number;
  /** Successful trial calls in a row that close it again (any failed one reopens it). */
  closeAfterSuccesses: number;
}

export function circuitBreakerExpectation(cb: CircuitBreakerPolicy): BreakerExpectation {
  const trip = tripPoint(cb.trip);
  return {
    ...(trip.kind === 'trips' ? { tripAfter: trip.afterFailures } : {}),
    trip,
    openMs: cb.timeoutMs,
    intervalMs: cb.intervalMs,
    halfOpenMaxRequests: cb.maxRequests,
    closeAfterSuccesses: cb.maxRequests,
  };
}

export interface CalleeCallExpectation {
  /** Calls that reach the callee in total. */
  calls: Range;
  /** Requests that reach the callee at all; the rest fail at once on the open breaker. */
  requestsReachingCallee: Range;
  attemptsPerRequest: AttemptExpectation;
}

/**
 * `requests` requests sent one after another to a callee that always fails, all within the breaker's open period
 * and one counting interval: each makes up to its retry policy's attempts until the breaker opens, after which the
 * rest fail without reaching the callee.
 */
export function expectedCalleeCalls(
  policy: EffectivePolicy,
  options: { requests: number; attemptMs?: number; statusCode?: number },
): CalleeCallExpectation {
  const attempts = expectedAttempts(policy.retry, {
    failures: 'persistent',
    ...(options.attemptMs !== undefined ? { attemptMs: options.attemptMs } : {}),
    ...(options.statusCode !== undefined ? { statusCode: options.statusCode } : {}),
  });
  const tripAfter = policy.circuitBreaker ? circuitBreakerExpectation(policy.circuitBreaker).tripAfter : undefined;
  const forAttempts = (perRequest: number): { calls: number; reaching: number } => {
    if (options.requests <= 0) return { calls: 0, reaching: 0 };
    const total = perRequest === Infinity ? Infinity : options.requests * perRequest;
    if (tripAfter === undefined) return { calls: total, reaching: options.requests };
    const opensDuring = perRequest === Infinity ? 1 : Math.ceil(tripAfter / perRequest);
    return { calls: Math.min(total, tripAfter), reaching: Math.min(options.requests, opensDuring) };
  };
  const fewest = forAttempts(attempts.min);
  const most = forAttempts(attempts.max);
  return {
    calls: { min: fewest.calls, max: most.calls },
    requestsReachingCallee: { min: most.reaching, max: fewest.reaching },
    attemptsPerRequest: attempts,
  };
}

/**
 * How one request ends. `success`: an attempt succeeded and the caller gets the callee's answer. `callee-status`:
 * the retries ended on a failed answer, which the caller gets as it is. `sidecar-error`: daprd ended the request
 * itself (the last attempt timed out, or the breaker opened under the retries) and answers 500. `no-answer`: still
 * retrying when the caller stopped waiting.
 */
export type InvocationOutcome = 'success' | 'callee-status' | 'sidecar-error' | 'no-answer';

/** daprd's own status for an invocation it ends itself (ErrDirectInvoke): a timeout or an open breaker. */
export const SIDECAR_ERROR_STATUS = 500;

export interface InvocationOptions {
  /** Attempts that fail before the callee succeeds; 'persistent' when it never does. */
  failures: number | 'persistent';
  /** The status the failing attempts answer with; `matching` decides whether it is retried. */
  statusCode?: number;
  /** The failing attempts outlast the per-attempt timeout instead of answering (a timeout is retried whatever `matching` says). */
  timedOut?: boolean;
  /** The caller stops waiting this long after the first attempt (an observation window). */
  withinMs?: number;
  /** How long a failed attempt takes, where it is not the timeout (counts against windows and maxElapsed). */
  attemptMs?: number;
  /** The answer of a successful attempt. */
  successStatus?: number;
}

export interface InvocationExpectation {
  /** Calls that reach the callee, from a fresh breaker. */
  calls: Range;
  outcome: InvocationOutcome;
  /** What the caller gets; undefined for `no-answer`. */
  callerStatus?: number;
  limitedBy: AttemptLimit | 'breaker';
  /** False when jitter decides between two outcomes (then `outcome` is the one with the most attempts). */
  certain: boolean;
}

/**
 * One request through retry( breaker( timeout( call ) ) ) on a fresh breaker: the callee's first `failures` calls
 * fail, the rest succeed. Every failed attempt counts towards the breaker; once it opens, the next attempt fails at
 * once (ErrOpenState, never retried), so the request ends as a sidecar error after exactly tripAfter calls.
 */
export function expectedInvocation(policy: EffectivePolicy, options: InvocationOptions): InvocationExpectation {
  const limit = timeoutMs(policy);
  const timedOut = options.timedOut === true;
  if (timedOut && limit === undefined) throw new Error(`${describeTarget(policy)} has no timeout, so no attempt can time out`);
  const attemptMs = timedOut ? limit : options.attemptMs;
  const attempts = expectedAttempts(policy.retry, {
    failures: options.failures,
    ...(attemptMs !== undefined ? { attemptMs } : {}),
    ...(options.withinMs !== undefined ? { withinMs: options.withinMs } : {}),
    ...(!timedOut && options.statusCode !== undefined ? { statusCode: options.statusCode } : {}),
  });
  const failures = options.failures === 'persistent' ? Infinity : options.failures;
  const tripAfter = policy.circuitBreaker ? circuitBreakerExpectation(policy.circuitBreaker).tripAfter : undefined;
  const failedOutcome = (): { outcome: InvocationOutcome; callerStatus?: number } => {
    if (attempts.limitedBy === 'window' || attempts.limitedBy === 'unlimited') return { outcome: 'no-answer' };
    if (timedOut || options.statusCode === undefined) return { outcome: 'sidecar-error', callerStatus: SIDECAR_ERROR_STATUS };
    return { outcome: 'callee-status', callerStatus: options.statusCode };
  };
  const settle = (made: number): { calls: number; outcome: InvocationOutcome; callerStatus?: number; byBreaker: boolean } => {
    const failed = Math.min(made, failures);
    if (tripAfter !== undefined && failed >= tripAfter) {
      if (tripAfter < made) return { calls: tripAfter, outcome: 'sidecar-error', callerStatus: SIDECAR_ERROR_STATUS, byBreaker: true };
      return { calls: tripAfter, ...failedOutcome(), byBreaker: false };
    }
    if (made > failures) return { calls: made, outcome: 'success', callerStatus: options.successStatus ?? 200, byBreaker: false };
    return { calls: made, ...failedOutcome(), byBreaker: false };
  };
  const fewest = settle(attempts.min);
  const most = settle(attempts.max);
  return {
    calls: { min: fewest.calls, max: most.calls },
    outcome: most.outcome,
    ...(most.callerStatus !== undefined ? { callerStatus: most.callerStatus } : {}),
    limitedBy: most.byBreaker ? 'breaker' : attempts.limitedBy,
    certain: fewest.outcome === most.outcome,
  };
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeRetry(retry: RetryPolicy): string {
  const name = `retry "${retry.name}"`;
  if (retry.maxRetries === 0) return `${name}: no retries (maxRetries 0)`;
  const limit =
    retry.maxRetries < 0
      ? 'without limit'
      : `up to ${count(retry.maxRetries, 'retry', 'retries')} (${retry.maxRetries + 1} calls when every attempt fails)`;
  let how: string;
  if (retry.policy === 'constant') {
    how = `${formatGoDuration(retry.durationMs)} between attempts, ${limit}${retry.maxRetries < 0 ? ' until the call succeeds or the caller gives up' : ''}`;
  } else {
    const jitter = `±${Math.round(retry.randomizationFactor * 100)}%`;
    how =
      `exponential waits from ${formatGoDuration(retry.initialIntervalMs)} (${jitter}) growing ×${retry.multiplier} to at most ${formatGoDuration(retry.maxIntervalMs)} (${jitter}), ${limit}` +
      (retry.maxElapsedMs > 0 ? `, giving up ${formatGoDuration(retry.maxElapsedMs)} after the first attempt` : '');
  }
  const { httpStatusCodes: http, grpcStatusCodes: grpc } = retry.matching;
  const matching =
    http || grpc
      ? `; retries ${http ? `only HTTP statuses ${formatCodeRanges(http) || '(none)'}` : 'every HTTP error status'} and ${grpc ? `only gRPC codes ${formatCodeRanges(grpc) || '(none)'}` : 'every gRPC error code'}`
      : '';
  return `${name}: ${how}${matching}`;
}

export function describeTimeout(timeout: TimeoutPolicy): string {
  if (timeout.timeoutMs <= 0) return `timeout "${timeout.name}" is ${formatGoDuration(timeout.timeoutMs)}: no timeout`;
  return `timeout "${timeout.name}": each attempt is cut off after ${formatGoDuration(timeout.timeoutMs)}`;
}

const BREAKER_SCOPE: Record<NonNullable<EffectivePolicy['breakerScope']>, string> = {
  endpoint: 'one breaker per endpoint (app id + method)',
  component: 'one breaker per component, shared by inbound and outbound',
  type: 'one breaker per actor type',
  id: 'one breaker per actor id',
  both: 'breakers per actor type and per actor id',
};

export function describeBreaker(cb: CircuitBreakerPolicy, scope?: EffectivePolicy['breakerScope']): string {
  const e = circuitBreakerExpectation(cb);
  const opens =
    e.trip.kind === 'trips'
      ? `opens after ${count(e.trip.afterFailures, 'failure')} in a row`
      : e.trip.kind === 'never'
        ? 'never opens while calls keep failing'
        : 'opens at a point the harness cannot compute';
  const clears = e.intervalMs > 0 ? `counts cleared every ${formatGoDuration(e.intervalMs)}` : 'counts never cleared while closed';
  return (
    `circuit breaker "${cb.name}": ${opens} (trip: ${cb.trip.source}${cb.tripDeclared ? '' : ', the default'}), ` +
    `then fails calls at once for ${formatGoDuration(e.openMs)} before letting ${count(e.halfOpenMaxRequests, 'trial call')} through; ${clears}` +
    (scope ? `; ${BREAKER_SCOPE[scope]}` : '')
  );
}

function describeTarget(policy: EffectivePolicy): string {
  const t = policy.target;
  if (t.kind === 'app') return `calls from ${policy.sidecar} to app ${t.appId}`;
  if (t.kind === 'actor') return `calls from ${policy.sidecar} to actor type ${t.actorType}`;
  return t.direction === 'outbound'
    ? `${t.componentKind} ${t.name} (outbound, sidecar ${policy.sidecar})`
    : `deliveries from ${t.componentKind} ${t.name} to app ${policy.sidecar} (inbound)`;
}

/** One paragraph for a report: what applies to a target and what a failing call should look like. */
export function describeExpectation(policy: EffectivePolicy): string {
  const parts: string[] = [];
  if (policy.source === 'none') parts.push("no resiliency policy: each call is tried once, with no timeout but the caller's own");
  if (policy.timeout) parts.push(describeTimeout(policy.timeout));
  if (policy.retry) parts.push(describeRetry(policy.retry));
  if (policy.circuitBreaker) parts.push(describeBreaker(policy.circuitBreaker, policy.breakerScope));
  if (timeoutMs(policy) !== undefined && policy.retry && policy.retry.maxRetries !== 0)
    parts.push('a timed-out attempt is retried like any other failure');
  if (policy.circuitBreaker && policy.retry && policy.retry.maxRetries !== 0)
    parts.push('every attempt counts towards the breaker, and retries stop once it opens');
  if (policy.target.kind === 'app' && policy.retry && policy.retry.maxRetries !== 0)
    parts.push('HTTP requests streamed without a Content-Length are never retried');
  if (policy.builtInRetry && policy.builtInRetry.maxRetries !== 0) {
    parts.push(
      `daprd's built-in ${policy.builtInRetry.name} also retries sidecar-to-sidecar transport failures (gRPC Unavailable/Unauthenticated) ` +
        `${policy.builtInRetry.maxRetries < 0 ? 'without limit' : `up to ${count(policy.builtInRetry.maxRetries, 'time')}`}, ${formatGoDuration(policy.builtInRetry.durationMs)} apart`,
    );
  }
  const source = policy.source === 'default' ? ' (from Default…Policy fallbacks)' : '';
  return `${describeTarget(policy)}${source}: ${parts.join('; ')}.`;
}
