import { expect } from 'chai';
import { TimelineBuilder } from './timeline';

describe('timeline', () => {
  it('keeps one point per second with counts, error kinds, rate and percentiles', () => {
    const tl = new TimelineBuilder(10_000);
    for (let i = 0; i < 100; i++) tl.recordSent(10_000 + i * 10);
    for (let i = 0; i < 100; i++) tl.recordCompleted(10_005 + i * 10, i % 10 === 0 ? 'http_500' : undefined, i < 99 ? 2 : 400);
    tl.recordDropped(11_200);
    const points = tl.finish(12_000);
    expect(points).to.have.length(2);
    const [first, second] = points;
    expect(first).to.include({ t: 0, requests: 100, errors: 10, ratePerSecond: 100, dropped: 0 });
    expect(first?.errorsByKind).to.deep.equal({ http_500: 10 });
    expect(first?.p50).to.be.closeTo(2, 0.01);
    expect(first?.p99).to.be.closeTo(2, 0.01);
    expect(second).to.include({ t: 1, requests: 0, errors: 0, ratePerSecond: 0, dropped: 1 });
    expect(second?.p99).to.equal(undefined);
  });

  it('emits empty seconds in a gap so the time axis has no holes', () => {
    const tl = new TimelineBuilder(0);
    tl.recordSent(100);
    tl.recordSent(3500);
    const points = tl.finish(4000);
    expect(points.map((p) => p.t)).to.deep.equal([0, 1, 2, 3]);
    expect(points.map((p) => p.ratePerSecond)).to.deep.equal([1, 0, 0, 1]);
  });

  it('scales the rate of a short last second to its length and drops a silent tail', () => {
    const tl = new TimelineBuilder(0);
    for (let i = 0; i < 50; i++) tl.recordSent(1000 + i * 5);
    expect(tl.finish(1500).map((p) => p.ratePerSecond)).to.deep.equal([0, 100]);
    const quiet = new TimelineBuilder(0);
    quiet.recordSent(10);
    expect(quiet.finish(1400)).to.have.length(1);
  });
});
