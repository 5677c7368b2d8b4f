import { expect } from 'chai';
import { bucketUpperBoundMs, LatencyRecorder } from './latency-recorder';

describe('latency recorder', () => {
  it('summarises in ms at microsecond resolution', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) r.record(i / 10); // 0.1 … 100 ms
    const s = r.summary();
    expect(s.count).to.equal(1000);
    expect(s.min).to.be.closeTo(0.1, 0.001);
    expect(s.max).to.be.closeTo(100, 0.1);
    expect(s.p50).to.be.closeTo(50, 0.1);
    expect(s.p90).to.be.closeTo(90, 0.1);
    expect(s.p99).to.be.closeTo(99, 0.1);
    expect(s['p99.9']).to.be.closeTo(99.9, 0.1);
    expect(s.mean).to.be.closeTo(50.05, 0.1);
  });

  it('reports zeros, no percentile and no buckets when empty', () => {
    const r = new LatencyRecorder();
    expect(r.summary()).to.include({ count: 0, p99: 0, max: 0 });
    expect(r.percentile(99)).to.equal(undefined);
    expect(r.chartBuckets()).to.deep.equal([]);
  });

  it('keeps log-spaced chart buckets whose counts add up, each value under its bound', () => {
    const r = new LatencyRecorder();
    const values = [0.005, 0.3, 0.31, 1, 1.26, 7, 250, 250, 4000];
    values.forEach((v) => r.record(v));
    const buckets = r.chartBuckets();
    expect(buckets.reduce((n, b) => n + b.count, 0)).to.equal(values.length);
    for (let i = 1; i < buckets.length; i++) expect((buckets[i]?.le ?? 0) / (buckets[i - 1]?.le ?? 1)).to.be.within(1.2, 1.33);
    for (const v of values) {
      const alone = new LatencyRecorder();
      alone.record(v);
      const [only, ...rest] = alone.chartBuckets();
      const index = Math.round(Math.log10((only?.le ?? 0) / 0.01) * 10);
      expect(rest, `one bucket for ${v}`).to.deep.equal([]);
      expect(only?.le, `upper bound for ${v}`).to.be.at.least(v);
      if (index > 0) expect(bucketUpperBoundMs(index - 1), `lower bound for ${v}`).to.be.below(v);
    }
    // 1 ms sits exactly on a bound, so it is counted there and not in the next bucket.
    const one = buckets.find((b) => b.le === 1);
    expect(one?.count).to.equal(1);
    expect(bucketUpperBoundMs(0)).to.equal(0.01);
    expect(bucketUpperBoundMs(10)).to.equal(0.1);
  });

  it('forgets everything on reset', () => {
    const r = new LatencyRecorder();
    r.record(5);
    r.reset();
    expect(r.count).to.equal(0);
    expect(r.chartBuckets()).to.deep.equal([]);
  });
});
