import { expect } from 'chai';
import type { UsageReading } from '../../harness/targets/deployment';
import { integrateReadings } from './usage-integration';

const T0 = 1_000_000;
const reading = (process: string, pod: string, atS: number, cores: number, memoryMb = 30, windowS = 15): UsageReading => ({
  process,
  pod,
  at: T0 + atS * 1000,
  windowMs: windowS * 1000,
  cores,
  memoryMb,
});

describe('usage integration (windowed readings → CPU-seconds)', () => {
  it('holds each reading over its own window, clipped to the run: 0.5 cores for 15 s then 1 core for 15 s', () => {
    // The first window started 5 s before the run: only its last 10 s count.
    const r = integrateReadings([reading('a-daprd', 'p1', 10, 0.5), reading('a-daprd', 'p1', 25, 1)], T0, T0 + 25_000);
    expect(r.usage).to.deep.equal([{ process: 'a-daprd', cpuSeconds: 0.5 * 10 + 1 * 15, peakRssMb: 30 }]);
    expect(r.coverage).to.equal(1);
    expect(r.resolutionSeconds).to.equal(15);
  });

  it('counts the same reading read twice once (polls see a window until the next replaces it)', () => {
    const once = integrateReadings([reading('a', 'p1', 15, 2)], T0, T0 + 15_000);
    const twice = integrateReadings([reading('a', 'p1', 15, 2), reading('a', 'p1', 15, 2)], T0, T0 + 15_000);
    expect(twice.usage).to.deep.equal(once.usage);
    expect(once.usage[0]?.cpuSeconds).to.equal(30);
  });

  it('never counts overlapping windows twice: a reading starts where the one before ended', () => {
    // Two 15 s windows 10 s apart overlap by 5 s; the second rate holds over the 10 s after the first.
    const r = integrateReadings([reading('a', 'p1', 15, 1), reading('a', 'p1', 25, 3)], T0, T0 + 25_000);
    expect(r.usage[0]?.cpuSeconds).to.equal(15 * 1 + 10 * 3);
  });

  it('carries the average rate over the end of the run metrics-server has not scraped yet, and says how much that was', () => {
    const r = integrateReadings([reading('a', 'p1', 15, 1)], T0, T0 + 20_000);
    expect(r.usage[0]?.cpuSeconds).to.equal(20);
    expect(r.coverage).to.equal(0.75);
  });

  it('uses a window that ended before the run only for the rate it carries, and ignores windows after the run', () => {
    const r = integrateReadings([reading('a', 'p1', -1, 0.25), reading('a', 'p1', 40, 9)], T0, T0 + 10_000);
    expect(r.usage[0]?.cpuSeconds).to.equal(2.5);
    expect(r.coverage).to.equal(0);
  });

  it("adds up the CPU of an app's pods, and keeps the largest pod's memory as its peak", () => {
    const r = integrateReadings(
      [reading('svc', 'p1', 15, 1, 40), reading('svc', 'p2', 15, 0.5, 70), reading('svc-daprd', 'p1', 15, 0.2, 25)],
      T0,
      T0 + 15_000,
    );
    const byName = Object.fromEntries(r.usage.map((u) => [u.process, u]));
    expect(byName.svc).to.deep.equal({ process: 'svc', cpuSeconds: 22.5, peakRssMb: 70 });
    expect(byName['svc-daprd']).to.deep.include({ cpuSeconds: 3, peakRssMb: 25 });
  });

  it('charges a pod added mid-run only from its first window on', () => {
    const r = integrateReadings([reading('svc', 'p1', 30, 1), reading('svc', 'late', 30, 1, 30, 10)], T0, T0 + 30_000);
    // p1 from its window's start (15 s) to the end, 'late' for its own 10 s: both fully covered.
    expect(r.usage[0]?.cpuSeconds).to.equal(15 + 10);
    expect(r.coverage).to.equal(1);
  });

  it('gives nothing, with no coverage, when nothing was read', () => {
    expect(integrateReadings([], T0, T0 + 10_000)).to.deep.equal({ usage: [], resolutionSeconds: 0, coverage: 0 });
  });
});
