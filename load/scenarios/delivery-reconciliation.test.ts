import { expect } from 'chai';
import { reconcile, reconciliationMetrics } from './delivery-reconciliation';

describe('delivery reconciliation', () => {
  const published = new Map([
    ['a', 1000],
    ['b', 1000],
    ['c', 1000],
    ['d', 1000],
  ]);

  it('counts delivered, lost, duplicates, late and unacknowledged against the publisher record', () => {
    const r = reconcile('audit', published, [
      { eventId: 'a', receivedAt: 1010, duplicate: false },
      { eventId: 'a', receivedAt: 1500, duplicate: true },
      { eventId: 'b', receivedAt: 1020, duplicate: false },
      { eventId: 'c', receivedAt: 3000, duplicate: false },
      { eventId: 'x', receivedAt: 1100, duplicate: false },
    ], 1000);
    expect(r).to.include({ acknowledged: 4, delivered: 3, lost: 1, duplicates: 1, late: 1, unacknowledged: 1 });
    expect(r.latencyMs?.max).to.be.closeTo(2000, 2);
    expect(r.latencyMs?.min).to.be.closeTo(10, 0.1);
  });

  it('reports the delivery rate as delivered over acknowledged, never published over anything', () => {
    const [rate] = reconciliationMetrics(reconcile('n', published, [{ eventId: 'a', receivedAt: 1001, duplicate: false }], 1000));
    expect(rate).to.deep.include({ name: 'pubsub.delivery_rate', rate: 0.25, passes: 1, fails: 3, tags: { subscriber: 'n' } });
  });

  it('has no latency when nothing arrived, and then a rate of 0', () => {
    const r = reconcile('n', published, [], 1000);
    expect(r.latencyMs).to.equal(undefined);
    expect(reconciliationMetrics(r).find((m) => m.name === 'pubsub.e2e_latency')).to.equal(undefined);
    expect(r.lost).to.equal(4);
  });
});
