import { RETRY_ALL, type StatusCodeMatch } from './status-code-match';
import { DEFAULT_TRIP, parseTripExpression, type TripExpression } from './trip-expression';

/**
 * The three policy kinds of a Resiliency spec, with every field daprd fills in when the spec leaves it out.
 * Durations are milliseconds.
 */
export type BackoffKind = 'constant' | 'exponential';

export interface RetryPolicy {
  name: string;
  policy: BackoffKind;
  /** Wait between attempts under `constant`. `exponential` ignores it. */
  durationMs: number;
  /** The exponential back-off's first interval. Not settable in a Resiliency spec. */
  initialIntervalMs: number;
  /** Growth of the exponential interval per retry. Not settable in a Resiliency spec. */
  multiplier: number;
  /** Jitter: each exponential wait is drawn from interval·[1-f, 1+f]. Not settable in a Resiliency spec. */
  randomizationFactor: number;
  /** Cap on the (un-jittered) exponential interval. */
  maxIntervalMs: number;
  /** Exponential back-off stops retrying once this much time would have passed since the first attempt; 0 = never. */
  maxElapsedMs: number;
  /** Retries after the first attempt; -1 = no limit. */
  maxRetries: number;
  matching: StatusCodeMatch;
}

export interface TimeoutPolicy {
  name: string;
  /** Per attempt; 0 or less means no timeout. */
  timeoutMs: number;
}

export interface CircuitBreakerPolicy {
  name: string;
  /** Trial calls let through while half-open; also the successes in a row that close it again. */
  maxRequests: number;
  /** Period after which a closed breaker clears its counts; 0 = never. */
  intervalMs: number;
  /** How long the breaker stays open before going half-open. */
  timeoutMs: number;
  trip: TripExpression;
  /** False when the spec gave no `trip` and gobreaker's default applies. */
  tripDeclared: boolean;
}

/**
 * dapr/kit retry.DefaultConfig(): what a retry policy is before its spec fields are applied. The exponential fields
 * are cenkalti/backoff's defaults.
 */
export const RETRY_DEFAULTS: Omit<RetryPolicy, 'name'> = {
  policy: 'constant',
  durationMs: 5000,
  initialIntervalMs: 500,
  multiplier: 1.5,
  randomizationFactor: 0.5,
  maxIntervalMs: 60_000,
  maxElapsedMs: 15 * 60_000,
  maxRetries: -1,
  matching: RETRY_ALL,
};

/** gobreaker's settings for zero values. */
export const CIRCUIT_BREAKER_DEFAULTS = {
  maxRequests: 1,
  intervalMs: 0,
  timeoutMs: 60_000,
  trip: DEFAULT_TRIP,
};

export function retryPolicy(name: string, fields: Partial<Omit<RetryPolicy, 'name'>> = {}): RetryPolicy {
  return { name, ...RETRY_DEFAULTS, ...fields };
}

/** Zero or negative values fall back to gobreaker's defaults, as daprd passes them through unchanged. */
export function circuitBreakerPolicy(
  name: string,
  fields: { maxRequests?: number; intervalMs?: number; timeoutMs?: number; trip?: string | TripExpression } = {},
): CircuitBreakerPolicy {
  const trip = fields.trip ?? CIRCUIT_BREAKER_DEFAULTS.trip;
  return {
    name,
    maxRequests: fields.maxRequests && fields.maxRequests > 0 ? fields.maxRequests : CIRCUIT_BREAKER_DEFAULTS.maxRequests,
    intervalMs: fields.intervalMs && fields.intervalMs > 0 ? fields.intervalMs : 0,
    timeoutMs: fields.timeoutMs && fields.timeoutMs > 0 ? fields.timeoutMs : CIRCUIT_BREAKER_DEFAULTS.timeoutMs,
    trip: typeof trip === 'string' ? parseTripExpression(trip) : trip,
    tripDeclared: fields.trip !== undefined,
  };
}

export function timeoutPolicy(name: string, timeoutMs: number): TimeoutPolicy {
  return { name, timeoutMs };
}
