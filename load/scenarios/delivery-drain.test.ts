import { expect } from 'chai';
import { drainDeliveries } from './delivery-drain';

/** A fake clock the drain's waits advance, and per-subscriber delivered counts as functions of that clock. */
function harness(counts: Record<string, (t: number) => number>) {
  let t = 0;
  return {
    deps: {
      deliveredCount: async (s: string) => (counts[s] as (t: number) => number)(t),
      now: () => t,
      wait: async (ms: number) => {
        t += Math.max(ms, 1);
      },
      pollMs: 1000,
      stallMs: 5000,
    },
  };
}

describe('delivery drain', () => {
  it('ends as soon as every subscriber has everything, and times how long a lagging one took to catch up', async () => {
    const { deps } = harness({ fast: () => 100, slow: (t) => Math.min(100, 40 + t / 100) });
    const out = await drainDeliveries(['fast', 'slow'], 100, { kind: 'window', windowMs: 30_000 }, deps);
    expect(out.endedBy).to.equal('empty');
    expect(out.subscribers[0]).to.deep.equal({ subscriber: 'fast', missing: 0, backlog: 0, lost: 0, missingAtStart: 0 });
    expect(out.subscribers[1]).to.include({ missing: 0, backlog: 0, lost: 0, missingAtStart: 60, drainedAfterMs: 6000 });
  });

  it('calls what a still-receiving subscriber lacks at the end of the window backlog, not loss', async () => {
    const { deps } = harness({ behind: (t) => Math.floor(t / 10) });
    const out = await drainDeliveries(['behind'], 10_000, { kind: 'window', windowMs: 30_000 }, deps);
    expect(out.endedBy).to.equal('window');
    expect(out.subscribers[0]).to.include({ missing: 7000, backlog: 7000, lost: 0 });
  });

  it('calls what a subscriber that stopped receiving lacks lost, and until-empty stops waiting for it', async () => {
    const { deps } = harness({ stuck: (t) => Math.min(80, t / 100) });
    const out = await drainDeliveries(['stuck'], 100, { kind: 'until-empty', maxMs: 600_000 }, deps);
    expect(out.endedBy).to.equal('stalled');
    expect(out.elapsedMs).to.be.below(600_000);
    expect(out.subscribers[0]).to.include({ missing: 20, backlog: 0, lost: 20 });
  });

  it('until-empty waits past the window for a subscriber that keeps receiving, up to its maximum', async () => {
    const { deps } = harness({ behind: (t) => Math.floor(t / 10) });
    const drained = await drainDeliveries(['behind'], 5000, { kind: 'until-empty', maxMs: 600_000 }, deps);
    expect(drained.endedBy).to.equal('empty');
    expect(drained.subscribers[0]).to.include({ missing: 0, drainedAfterMs: 50_000 });
    const bounded = await drainDeliveries(
      ['behind'],
      1_000_000,
      { kind: 'until-empty', maxMs: 20_000 },
      harness({ behind: (t) => Math.floor(t / 10) }).deps,
    );
    expect(bounded.endedBy).to.equal('max');
    expect(bounded.subscribers[0]).to.include({ backlog: 998_000, lost: 0 });
  });

  it('calls what a stalled subscriber lacks backlog while the broker still holds messages for it, lost once it holds none', async () => {
    const policy = { kind: 'window', windowMs: 10_000 } as const;
    const counts = { paused: () => 40, gone: () => 40, partly: () => 40 };
    const held: Record<string, number | undefined> = { paused: 500, gone: 0, partly: 25 };
    const out = await drainDeliveries(['paused', 'gone', 'partly'], 100, policy, { ...harness(counts).deps, held: async (s) => held[s] });
    expect(out.subscribers.map((s) => [s.subscriber, s.backlog, s.lost])).to.deep.equal([
      ['paused', 60, 0],
      ['gone', 0, 60],
      // Fewer held than missing: the rest is in flight inside the paused sidecar, not gone.
      ['partly', 60, 0],
    ]);
    // A broker that cannot say leaves it to the deliveries: a stalled subscriber's missing events are lost.
    const unknown = await drainDeliveries(['paused'], 100, policy, { ...harness(counts).deps, held: async () => undefined });
    expect(unknown.subscribers[0]).to.include({ backlog: 0, lost: 60 });
  });
});
