import { expect } from 'chai';
import { expectedDeliveries } from './delivery-expectation';
import { circuitBreakerPolicy, retryPolicy } from './policy-definitions';
import type { EffectivePolicy } from './resiliency-policy';

function inbound(policies: Partial<EffectivePolicy>): EffectivePolicy {
  return {
    sidecar: 'subscriber',
    target: { kind: 'component', name: 'pubsub', type: 'pubsub.jetstream', componentKind: 'Pubsub', direction: 'inbound' },
    source: 'named',
    ...policies,
  };
}

describe('expected deliveries to a subscriber that answers RETRY', () => {
  it("stays in the sidecar while its retries cover the refusals, waiting the policy's waits", () => {
    const e = expectedDeliveries(inbound({ retry: retryPolicy('r', { durationMs: 300, maxRetries: 3 }) }), { failures: 2 });
    expect(e).to.deep.equal({ deliveries: 3, brokerRedeliveries: 0, retriedBy: 'sidecar', elapsedMs: { min: 600, max: 600 } });
    const exp = expectedDeliveries(inbound({ retry: retryPolicy('e', { policy: 'exponential', maxIntervalMs: 2000, maxRetries: 3 }) }), {
      failures: 2,
    });
    expect(exp.elapsedMs.min).to.be.closeTo(625, 0.01);
    expect(exp.elapsedMs.max).to.be.closeTo(1875, 0.01);
  });

  it("goes back to the broker once the sidecar's attempts are spent, each round after its redelivery delay", () => {
    const e = expectedDeliveries(inbound({ retry: retryPolicy('r', { durationMs: 100, maxRetries: 1 }) }), {
      failures: 2,
      brokerRedeliveryMs: 2000,
    });
    expect(e).to.deep.equal({ deliveries: 3, brokerRedeliveries: 1, retriedBy: 'broker', elapsedMs: { min: 2100, max: 2100 } });
    const none = expectedDeliveries(inbound({}), { failures: 2, brokerRedeliveryMs: 1000 });
    expect(none).to.deep.include({ deliveries: 3, brokerRedeliveries: 2, elapsedMs: { min: 2000, max: 2000 } });
  });

  it('refuses to guess a broker delay or a breaker it would open', () => {
    expect(() => expectedDeliveries(inbound({}), { failures: 1 })).to.throw(/redelivery delay is unknown/);
    expect(() =>
      expectedDeliveries(
        inbound({
          retry: retryPolicy('r', { maxRetries: 5 }),
          circuitBreaker: circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 2' }),
        }),
        { failures: 2 },
      ),
    ).to.throw(/open the inbound breaker/);
  });
});
