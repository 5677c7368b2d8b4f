import { expect } from 'chai';
import { arrivalSchedule, rateSegments } from './arrival-schedule';

function allArrivals(segments: Parameters<typeof arrivalSchedule>[0], limit = 1_000_000): number[] {
  const schedule = arrivalSchedule(segments);
  const out: number[] = [];
  for (let t = schedule.next(); t !== undefined && out.length < limit; t = schedule.next()) out.push(t);
  return out;
}

function countIn(times: number[], fromMs: number, toMs: number): number {
  return times.filter((t) => t >= fromMs && t < toMs).length;
}

describe('arrival schedule', () => {
  it('spaces a constant rate evenly from t = 0, i/r apart', () => {
    const times = allArrivals(rateSegments({ kind: 'open', ratePerSecond: 10 }, 0, 1000));
    expect(times).to.have.length(10);
    times.forEach((t, i) => expect(t).to.be.closeTo(i * 100, 1e-6));
  });

  it('puts warm-up first at the starting rate, with no seam into the measured window', () => {
    const segments = rateSegments({ kind: 'open', ratePerSecond: 100 }, 500, 1000);
    expect(segments).to.deep.equal([
      { durationMs: 500, fromRatePerSecond: 100, toRatePerSecond: 100 },
      { durationMs: 1000, fromRatePerSecond: 100, toRatePerSecond: 100 },
    ]);
    const times = allArrivals(segments);
    expect(times).to.have.length(150);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).to.be.closeTo(10, 1e-6);
  });

  it('ramps linearly like k6 ramping-arrival-rate: the count is the area under the rate', () => {
    // 0 → 100/s over 2 s: 100 arrivals, a quarter of them in the first second.
    const times = allArrivals(
      rateSegments({ kind: 'ramping', startRatePerSecond: 0, stages: [{ durationMs: 2000, targetRatePerSecond: 100 }] }, 0, 2000),
    );
    expect(times.length).to.be.within(99, 100);
    expect(countIn(times, 0, 1000)).to.be.within(24, 26);
    expect(countIn(times, 1000, 2000)).to.be.within(74, 76);
    // Arrival i of a ramp from zero is at √(i/a): gaps shrink as the rate grows.
    expect((times[1] ?? 0) - (times[0] ?? 0)).to.be.greaterThan((times[99] ?? 0) - (times[98] ?? 0));
  });

  it('holds, ramps down and stops on zero-rate stages', () => {
    const model = {
      kind: 'ramping' as const,
      startRatePerSecond: 50,
      stages: [
        { durationMs: 1000, targetRatePerSecond: 50 },
        { durationMs: 1000, targetRatePerSecond: 0 },
        { durationMs: 1000, targetRatePerSecond: 0 },
        { durationMs: 1000, targetRatePerSecond: 20 },
      ],
    };
    const times = allArrivals(rateSegments(model, 0, 4000));
    expect(countIn(times, 0, 1000)).to.equal(50);
    expect(countIn(times, 1000, 2000)).to.be.within(24, 26);
    expect(countIn(times, 2000, 3000)).to.equal(0);
    expect(countIn(times, 3000, 4000)).to.be.within(9, 10);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? 0))).to.equal(true);
  });

  it('cuts a stage short at durationMs at the rate it had reached', () => {
    const segments = rateSegments(
      {
        kind: 'ramping',
        startRatePerSecond: 0,
        stages: [
          { durationMs: 2000, targetRatePerSecond: 100 },
          { durationMs: 5000, targetRatePerSecond: 100 },
        ],
      },
      0,
      1000,
    );
    expect(segments).to.deep.equal([{ durationMs: 1000, fromRatePerSecond: 0, toRatePerSecond: 50 }]);
    expect(arrivalSchedule(segments).endMs).to.equal(1000);
  });

  it('has no schedule for the closed model and ends after the last segment', () => {
    expect(rateSegments({ kind: 'closed' }, 1000, 1000)).to.deep.equal([]);
    expect(arrivalSchedule([]).next()).to.equal(undefined);
    const s = arrivalSchedule([{ durationMs: 100, fromRatePerSecond: 10, toRatePerSecond: 10 }]);
    expect(s.next()).to.equal(0);
    expect(s.next()).to.equal(undefined);
    expect(s.next()).to.equal(undefined);
  });
});
