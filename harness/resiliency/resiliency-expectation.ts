import { formatGoDuration } from './duration';
import type { CircuitBreakerPolicy, RetryPolicy, TimeoutPolicy } from './policy-definitions';
import type { EffectivePolicy } from './resiliency-policy';
import { expectedAttempts, type AttemptExpectation } from './retry-schedule';
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
export function expectedCalleeCalls(policy: EffectivePolicy, options: { requests: number; attemptMs?: number }): CalleeCallExpectation {
  const attempts = expectedAttempts(policy.retry, { failures: 'persistent', ...(options.attemptMs !== undefined ? { attemptMs: options.attemptMs } : {}) });
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

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeRetry(retry: RetryPolicy): string {
  const name = `retry "${retry.name}"`;
  if (retry.maxRetries === 0) return `${name}: no retries (maxRetries 0)`;
  const limit = retry.maxRetries < 0 ? 'without limit' : `up to ${count(retry.maxRetries, 'retry', 'retries')} (${retry.maxRetries + 1} calls when every attempt fails)`;
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
  return t.direction === 'outbound' ? `${t.componentKind} ${t.name} (outbound, sidecar ${policy.sidecar})` : `deliveries from ${t.componentKind} ${t.name} to app ${policy.sidecar} (inbound)`;
}

/** One paragraph for a report: what applies to a target and what a failing call should look like. */
export function describeExpectation(policy: EffectivePolicy): string {
  const parts: string[] = [];
  if (policy.source === 'none') parts.push('no resiliency policy: each call is tried once, with no timeout but the caller\'s own');
  if (policy.timeout) parts.push(describeTimeout(policy.timeout));
  if (policy.retry) parts.push(describeRetry(policy.retry));
  if (policy.circuitBreaker) parts.push(describeBreaker(policy.circuitBreaker, policy.breakerScope));
  if (timeoutMs(policy) !== undefined && policy.retry && policy.retry.maxRetries !== 0) parts.push('a timed-out attempt is retried like any other failure');
  if (policy.circuitBreaker && policy.retry && policy.retry.maxRetries !== 0) parts.push('every attempt counts towards the breaker, and retries stop once it opens');
  if (policy.target.kind === 'app' && policy.retry && policy.retry.maxRetries !== 0) parts.push('HTTP requests streamed without a Content-Length are never retried');
  if (policy.builtInRetry && policy.builtInRetry.maxRetries !== 0) {
    parts.push(
      `daprd's built-in ${policy.builtInRetry.name} also retries sidecar-to-sidecar transport failures (gRPC Unavailable/Unauthenticated) ` +
        `${policy.builtInRetry.maxRetries < 0 ? 'without limit' : `up to ${count(policy.builtInRetry.maxRetries, 'time')}`}, ${formatGoDuration(policy.builtInRetry.durationMs)} apart`,
    );
  }
  const source = policy.source === 'default' ? ' (from Default…Policy fallbacks)' : '';
  return `${describeTarget(policy)}${source}: ${parts.join('; ')}.`;
}
