import { expect } from 'chai';
import { clockOffsetMetrics, offsetFromReadings, readClock, remoteStampToLocal } from './clock-offset';

describe('clock offset (NTP-style exchange with a subscriber)', () => {
  it('estimates remote minus local from the middle of the exchange, within half the round trip', () => {
    // A remote clock 250 ms ahead, read halfway through a 4 ms exchange.
    const o = offsetFromReadings([{ sentAt: 1000, remote: 1252, receivedAt: 1004 }], 0);
    expect(o).to.deep.equal({ offsetMs: 250, uncertaintyMs: 2, rttMs: 4, readings: 1, remoteResolutionMs: 0 });
  });

  it('can come out negative: a remote clock behind the harness is measured, not clamped', () => {
    const o = offsetFromReadings([{ sentAt: 5000, remote: 4100, receivedAt: 5002 }]);
    expect(o.offsetMs).to.be.closeTo(-900.5, 1e-9);
    expect(o.uncertaintyMs).to.equal(1.5);
  });

  it('trusts the quickest exchange, whose round trip bounds the error tightest', () => {
    const o = offsetFromReadings(
      [
        { sentAt: 0, remote: 90, receivedAt: 100 },
        { sentAt: 200, remote: 251, receivedAt: 202 },
        { sentAt: 300, remote: 380, receivedAt: 340 },
      ],
      1,
    );
    expect(o.rttMs).to.equal(2);
    expect(o.offsetMs).to.equal(50.5);
    expect(o.readings).to.equal(3);
  });

  it('finds a skewed remote clock through a real asynchronous exchange, the true offset inside the bound', async () => {
    const skewMs = -1234.5;
    const readRemote = async (): Promise<number> => {
      await new Promise((r) => setTimeout(r, 2));
      const remote = Math.floor(performance.timeOrigin + performance.now() + skewMs);
      await new Promise((r) => setTimeout(r, 2));
      return remote;
    };
    const readings = await readClock(readRemote, () => performance.timeOrigin + performance.now(), 5);
    expect(readings).to.have.length(5);
    const o = offsetFromReadings(readings);
    expect(Math.abs(o.offsetMs - skewMs)).to.be.at.most(o.uncertaintyMs);
  });

  it("puts a remote stamp on the local clock: the offset taken off, the truncation's half step put back, no clamping", () => {
    const ahead = offsetFromReadings([{ sentAt: 1000, remote: 1250, receivedAt: 1001 }]);
    expect(ahead.offsetMs).to.equal(250);
    // A stamp of 1260 on a truncating clock stands for [1260, 1261) remote, i.e. [1010, 1011) here.
    expect(remoteStampToLocal(1260, ahead)).to.equal(1010.5);
    // Read against a send at 1012, this delivery came before it: the caller counts that, the value stays negative.
    expect(remoteStampToLocal(1260, ahead) - 1012).to.equal(-1.5);
  });

  it('refuses to estimate from nothing', () => {
    expect(() => offsetFromReadings([])).to.throw(/no clock readings/);
  });

  it('reports the offset and its bound as gauges in ms', () => {
    const metrics = clockOffsetMetrics(
      'pubsub',
      { subscriber: 'audit-service' },
      { offsetMs: -3.5, uncertaintyMs: 0.7, rttMs: 0.4, readings: 10, remoteResolutionMs: 1 },
    );
    expect(metrics).to.deep.equal([
      { name: 'pubsub.clock_offset', kind: 'gauge', tags: { subscriber: 'audit-service' }, value: -3.5, unit: 'ms' },
      { name: 'pubsub.clock_offset_uncertainty', kind: 'gauge', tags: { subscriber: 'audit-service' }, value: 0.7, unit: 'ms' },
    ]);
  });
});
