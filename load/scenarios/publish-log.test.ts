import { expect } from 'chai';
import { epochNow, runLoad } from '../driver';
import { startTestHttpServer, type TestHttpServer } from '../../test/support/test-http-server';
import { reconcile, type DeliveredEntry } from './delivery-reconciliation';
import { PublishLog } from './publish-log';

describe('publish log', () => {
  it('keeps acknowledged publishes with their intended and send times, and rates them against every attempt', () => {
    const log = new PublishLog('run1');
    expect(log.stamp(0, { intendedAt: 100, dispatchedAt: 100 })).to.deep.equal({ eventId: 'run1-0', publishedAt: 100 });
    expect(log.stamp(1, { intendedAt: 110, dispatchedAt: 150 })).to.deep.equal({ eventId: 'run1-1', publishedAt: 150 });
    log.stamp(2, { intendedAt: 120, dispatchedAt: 150 });
    log.stamp(3, { intendedAt: 130, dispatchedAt: 150 });
    log.stamp(4, { intendedAt: 140, dispatchedAt: 150 });
    log.settle(0, 204);
    log.settle(1, 200);
    log.settle(2, 500);
    log.settle(3, undefined);
    // Publish 4 was never answered (the run was cut short): it stays an attempt that did not succeed.
    expect([...log.acknowledged]).to.deep.equal([
      ['run1-0', { intendedAt: 100, sentAt: 100 }],
      ['run1-1', { intendedAt: 110, sentAt: 150 }],
    ]);
    expect(log.successRate(1)).to.deep.equal({ rate: 2 / 6, passes: 2, fails: 4, attempted: 6 });
    expect(log.successMetric(1)).to.deep.equal({
      name: 'pubsub.publish_success_rate',
      kind: 'rate',
      tags: {},
      rate: 2 / 6,
      passes: 2,
      fails: 4,
    });
  });

  it('rates a run that attempted nothing 0, not a pass', () => {
    expect(new PublishLog('x').successRate(0)).to.deep.equal({ rate: 0, passes: 0, fails: 0, attempted: 0 });
  });

  describe('through the real driver against a broker that stalls', function () {
    this.timeout(20_000);
    let broker: TestHttpServer;
    afterEach(async () => broker?.stop());

    /**
     * The broker "delivers" each event the moment it receives the publish (so any delivery latency is the
     * publisher's), then acknowledges it, except for 500 ms from the first publish after 600 ms: a frozen broker.
     */
    async function stallingBroker(delivered: DeliveredEntry[]): Promise<TestHttpServer> {
      let stallStart: number | undefined;
      return startTestHttpServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const now = epochNow();
          const { eventId } = JSON.parse(Buffer.concat(chunks).toString()) as { eventId: string };
          delivered.push({ eventId, receivedAt: now, duplicate: false });
          stallStart ??= now + 600;
          const stallEnd = stallStart + 500;
          res.statusCode = 204;
          if (now >= stallStart && now < stallEnd) setTimeout(() => res.end(), stallEnd - now);
          else res.end();
        });
      });
    }

    async function publish(connections: number): Promise<{ log: PublishLog; delivered: DeliveredEntry[] }> {
      const delivered: DeliveredEntry[] = [];
      broker = await stallingBroker(delivered);
      const log = new PublishLog('stall');
      await runLoad({
        url: broker.url,
        model: { kind: 'open', ratePerSecond: 200 },
        durationMs: 2000,
        connections,
        request: (i, timing) => ({
          method: 'POST',
          path: '/publish',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(log.stamp(i, timing)),
        }),
        onOutcome: (i, o) => log.settle(i, o.status),
      });
      return { log, delivered };
    }

    it('e2e latency from the intended send rises with the stalled schedule; from the actual send it does not', async () => {
      const { log, delivered } = await publish(2);
      expect(log.successRate(0).rate, 'every publish was acknowledged in the end').to.equal(1);
      const r = reconcile('subscriber', log.acknowledged, delivered, 100);
      expect(r.delivered).to.equal(log.acknowledged.size);
      const corrected = r.latencyMs!;
      const uncorrected = r.latencyUncorrectedMs!;
      // ~100 publishes were due during the 500 ms stall and waited for a connection: their users waited too.
      expect(corrected.p90, JSON.stringify(corrected)).to.be.greaterThan(150);
      expect(corrected.max).to.be.greaterThan(400);
      expect(r.late).to.be.greaterThan(40);
      // Once sent, each reached the subscriber at once: the uncorrected figure does not see the stall (margins for
      // a busy machine, far below the stall).
      expect(uncorrected.p99, JSON.stringify(uncorrected)).to.be.below(150);
      expect(corrected.p99).to.be.greaterThan(2.5 * uncorrected.p99);
      expect(r.negativeLatencies).to.equal(0);
    });

    it("without a stall in the publisher's way, the two agree (the previous test can fail)", async () => {
      // Enough connections that no publish waits for one: the stalled acknowledgements hold sockets, not the schedule.
      const { log, delivered } = await publish(200);
      const r = reconcile('subscriber', log.acknowledged, delivered, 250);
      expect(r.latencyMs!.p99, JSON.stringify(r.latencyMs)).to.be.below(150);
      expect(r.late, "nothing near the stall's 500 ms").to.equal(0);
    });
  });
});
