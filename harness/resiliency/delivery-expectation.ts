import { circuitBreakerExpectation, type Range } from './resiliency-expectation';
import type { EffectivePolicy } from './resiliency-policy';
import { expectedAttempts, retryDelaysMs } from './retry-schedule';

/**
 * What a subscriber sees when it refuses (answers RETRY to) its first `failures` deliveries of a message. daprd
 * runs every delivery the broker hands it through the inbound policy of the pub/sub component: the retry policy
 * redelivers within the sidecar; once its attempts are spent without success, the sidecar hands the message back
 * to the broker, which redelivers it after its own delay and so starts a new round of sidecar attempts. A route
 * with a dead-letter topic takes the message there instead of back to the broker; that case is not modelled here.
 */
export interface DeliveryExpectation {
  /** Deliveries the app sees, the last one processed. */
  deliveries: number;
  /** Times the broker had to deliver the message again; 0 when the sidecar's retries cover every refusal. */
  brokerRedeliveries: number;
  retriedBy: 'sidecar' | 'broker';
  /** From the first delivery to the processed one: the sidecar's waits, plus the broker's delay per redelivery. */
  elapsedMs: Range;
}

export function expectedDeliveries(
  policy: EffectivePolicy,
  options: { failures: number; brokerRedeliveryMs?: number },
): DeliveryExpectation {
  const failures = Math.max(0, Math.floor(options.failures));
  const tripAfter = policy.circuitBreaker ? circuitBreakerExpectation(policy.circuitBreaker).tripAfter : undefined;
  if (tripAfter !== undefined && failures >= tripAfter) {
    throw new Error(
      `${failures} refused deliveries open the inbound breaker "${policy.circuitBreaker?.name}" (trips after ${tripAfter}); choose fewer`,
    );
  }
  const perRound = expectedAttempts(policy.retry, { failures: 'persistent' }).min;
  const waits = (n: number): Range => {
    const delays = policy.retry && n > 0 ? retryDelaysMs(policy.retry, n) : [];
    return { min: delays.reduce((s, d) => s + d.minMs, 0), max: delays.reduce((s, d) => s + d.maxMs, 0) };
  };
  if (perRound > failures) return { deliveries: failures + 1, brokerRedeliveries: 0, retriedBy: 'sidecar', elapsedMs: waits(failures) };
  if (options.brokerRedeliveryMs === undefined) {
    throw new Error(
      `the sidecar's ${perRound} attempt${perRound === 1 ? '' : 's'} per delivery cannot cover ${failures} refusals, and the broker's redelivery delay is unknown`,
    );
  }
  const rounds = Math.floor(failures / perRound);
  const full = waits(perRound - 1);
  const last = waits(failures % perRound);
  return {
    deliveries: failures + 1,
    brokerRedeliveries: rounds,
    retriedBy: 'broker',
    elapsedMs: {
      min: rounds * (options.brokerRedeliveryMs + full.min) + last.min,
      max: rounds * (options.brokerRedeliveryMs + full.max) + last.max,
    },
  };
}
