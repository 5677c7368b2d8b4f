import { expect } from 'chai';
import { searchCapacity, SEARCH_DEFAULTS, type CapacityStep } from './capacity-search';

/** A deployment whose criteria hold up to `knee` per second; each step takes `stepMs` on a fake clock. */
function deployment(knee: number, stepMs = 60_000) {
  let t = 0;
  const asked: number[] = [];
  return {
    asked,
    now: () => t,
    measure: async (rate: number): Promise<CapacityStep> => {
      asked.push(rate);
      t += stepMs;
      const met = rate <= knee;
      return { ratePerSecond: rate, achievedRatePerSecond: rate, met, broken: met ? [] : ['p99 too high'], elapsedMs: stepMs };
    },
  };
}

const plan = { ...SEARCH_DEFAULTS, startRatePerSecond: 100, maxTimeMs: 3_600_000 };

describe('capacity search', () => {
  it('steps up coarsely until the criteria break, then bisects to within the resolution', async () => {
    const d = deployment(530);
    const out = await searchCapacity(d.measure, plan, { now: d.now });
    expect(d.asked.slice(0, 4)).to.deep.equal([100, 200, 400, 800]);
    expect(out.endedBy).to.equal('resolution');
    expect(out.maxMetRatePerSecond).to.be.at.most(530);
    expect(out.brokenRatePerSecond).to.be.greaterThan(530);
    expect((out.brokenRatePerSecond as number) / (out.maxMetRatePerSecond as number)).to.be.at.most(1.1);
    expect(out.steps.map((s) => s.ratePerSecond)).to.deep.equal(d.asked);
  });

  it('steps down when the first rate already breaks the criteria', async () => {
    const d = deployment(30);
    const out = await searchCapacity(d.measure, plan, { now: d.now });
    expect(d.asked.slice(0, 3)).to.deep.equal([100, 50, 25]);
    expect(out.maxMetRatePerSecond).to.be.at.most(30);
    expect(out.brokenRatePerSecond).to.be.greaterThan(30);
  });

  it('starts no step that would end past --max-time, and keeps the steps it measured', async () => {
    const d = deployment(10_000);
    const out = await searchCapacity(d.measure, { ...plan, maxTimeMs: 200_000 }, { now: d.now });
    expect(out.endedBy).to.equal('max-time');
    expect(out.steps).to.have.length(3);
    expect(out.maxMetRatePerSecond).to.equal(400);
    expect(out.brokenRatePerSecond).to.equal(undefined);
  });

  it('stops on abort with what it measured, the interrupted step left out', async () => {
    const d = deployment(10_000);
    const ctrl = new AbortController();
    const out = await searchCapacity(
      async (rate) => {
        const step = await d.measure(rate);
        if (rate === 400) ctrl.abort();
        return step;
      },
      plan,
      { now: d.now, signal: ctrl.signal },
    );
    expect(out.endedBy).to.equal('aborted');
    expect(out.steps.map((s) => s.ratePerSecond)).to.deep.equal([100, 200]);
    expect(out.maxMetRatePerSecond).to.equal(200);
  });

  it('ends at the maximum rate when nothing breaks', async () => {
    const d = deployment(Infinity);
    const out = await searchCapacity(d.measure, { ...plan, maxRatePerSecond: 1000 }, { now: d.now });
    expect(out.endedBy).to.equal('max-rate');
    expect(d.asked).to.deep.equal([100, 200, 400, 800, 1000]);
  });
});
