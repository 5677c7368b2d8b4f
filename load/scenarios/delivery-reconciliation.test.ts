import { expect } from 'chai';
import { reconcile, reconciliationMetrics, type PublishedEvent } from './delivery-reconciliation';

const onTime = (at: number): PublishedEvent => ({ intendedAt: at, sentAt: at });

describe('delivery reconciliation', () => {
  const published = new Map([
    ['a', onTime(1000)],
    ['b', onTime(1000)],
    ['c', onTime(1000)],
    ['d', onTime(1000)],
  ]);

  it('counts delivered, lost, duplicates, late and unacknowledged against the publisher record', () => {
    const r = reconcile(
      'audit',
      published,
      [
        { eventId: 'a', receivedAt: 1010, duplicate: false },
        { eventId: 'a', receivedAt: 1500, duplicate: true },
        { eventId: 'b', receivedAt: 1020, duplicate: false },
        { eventId: 'c', receivedAt: 3000, duplicate: false },
        { eventId: 'x', receivedAt: 1100, duplicate: false },
      ],
      1000,
    );
    expect(r).to.include({ acknowledged: 4, delivered: 3, lost: 1, duplicates: 1, late: 1, unacknowledged: 1, negativeLatencies: 0 });
    expect(r.latencyMs?.max).to.equal(2000);
    expect(r.latencyMs?.min).to.equal(10);
  });

  it('counts warm-up publishes as delivered but leaves them out of the latency figures', () => {
    const withWarmup = new Map([
      ['w', { intendedAt: 0, sentAt: 0, warmup: true }],
      ['m', onTime(1000)],
    ]);
    const r = reconcile(
      'audit',
      withWarmup,
      [
        { eventId: 'w', receivedAt: 5000, duplicate: false },
        { eventId: 'm', receivedAt: 1010, duplicate: false },
      ],
      1000,
    );
    expect(r).to.include({ delivered: 2, lost: 0, latencyCount: 1, late: 0 });
    expect(r.latencyMs?.max).to.equal(10);
  });

  it('counts what a subscriber still receiving lacks as backlog, not lost', () => {
    const r = reconcile('audit', published, [{ eventId: 'a', receivedAt: 1010, duplicate: false }], 1000, 3);
    expect(r).to.include({ delivered: 1, lost: 0, backlog: 3 });
    const m = reconciliationMetrics(r);
    expect(m.find((x) => x.name === 'pubsub.backlog')?.count).to.equal(3);
    expect(m.find((x) => x.name === 'pubsub.lost')?.count).to.equal(0);
    expect(m.find((x) => x.name === 'pubsub.delivery_rate')?.rate).to.equal(0.25);
    // Only what was still queued is backlog: the rest is lost.
    expect(reconcile('audit', published, [{ eventId: 'a', receivedAt: 1010, duplicate: false }], 1000, 2)).to.include({
      backlog: 2,
      lost: 1,
    });
  });

  it('reports the delivery rate as delivered over acknowledged, never published over anything', () => {
    const [rate] = reconciliationMetrics(reconcile('n', published, [{ eventId: 'a', receivedAt: 1001, duplicate: false }], 1000));
    expect(rate).to.deep.include({ name: 'pubsub.delivery_rate', rate: 0.25, passes: 1, fails: 3, tags: { subscriber: 'n' } });
  });

  it('has no latency when nothing arrived, and then a rate of 0', () => {
    const r = reconcile('n', published, [], 1000);
    expect(r.latencyMs).to.equal(undefined);
    expect(reconciliationMetrics(r).find((m) => m.name === 'pubsub.e2e_latency')).to.equal(undefined);
    expect(reconciliationMetrics(r).find((m) => m.name === 'pubsub.negative_latency')?.count).to.equal(0);
    expect(r.lost).to.equal(4);
  });

  it('measures from the intended publish time and from the actual send: a publish that queued shows only in the first', () => {
    // 100 publishes due every 10 ms; the 20 due in [500, 700) waited for the publisher until 700.
    const record = new Map<string, PublishedEvent>();
    const entries = [];
    for (let i = 0; i < 100; i++) {
      const intendedAt = i * 10;
      const sentAt = intendedAt >= 500 && intendedAt < 700 ? 700 : intendedAt;
      record.set(`e${i}`, { intendedAt, sentAt });
      entries.push({ eventId: `e${i}`, receivedAt: sentAt + 3, duplicate: false });
    }
    const r = reconcile('audit', record, entries, 100);
    expect(r.latencyUncorrectedMs).to.deep.include({ min: 3, p50: 3, p99: 3, max: 3 });
    expect(r.latencyMs?.p50).to.equal(3);
    expect(r.latencyMs?.p90).to.be.at.least(100);
    expect(r.latencyMs?.max).to.equal(203);
    expect(r.late, 'late is judged from the intended time (due 500…600 ms)').to.equal(11);
    const metrics = reconciliationMetrics(r);
    expect(metrics.find((m) => m.name === 'pubsub.e2e_latency')).to.deep.include({
      kind: 'trend',
      unit: 'ms',
      count: 100,
      tags: { subscriber: 'audit' },
    });
    expect(metrics.find((m) => m.name === 'pubsub.e2e_latency')?.stats?.max).to.equal(203);
    expect(metrics.find((m) => m.name === 'pubsub.e2e_latency_uncorrected')?.stats?.max).to.equal(3);
  });

  it('counts deliveries that precede their send and keeps them in the figures below zero, never clamped', () => {
    const r = reconcile(
      'audit',
      published,
      [
        { eventId: 'a', receivedAt: 995, duplicate: false },
        { eventId: 'b', receivedAt: 998.5, duplicate: false },
        { eventId: 'c', receivedAt: 1004, duplicate: false },
      ],
      1000,
    );
    expect(r.negativeLatencies).to.equal(2);
    expect(r.latencyMs?.min).to.equal(-5);
    expect(r.latencyUncorrectedMs?.min).to.equal(-5);
    expect(r.latencyMs?.p50).to.equal(-1.5);
    expect(r.histogram[0], 'a bucket for the negatives').to.deep.equal({ le: 0, count: 2 });
    expect(reconciliationMetrics(r).find((m) => m.name === 'pubsub.negative_latency')).to.deep.include({
      kind: 'counter',
      count: 2,
      tags: { subscriber: 'audit' },
    });
  });
});
