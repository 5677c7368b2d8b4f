import { expect } from 'chai';
import { autoscaleMetrics, peaksOf, replicasAt, summarizeAutoscale, type AutoscaleTimeline } from './autoscale-watcher';

const timeline: AutoscaleTimeline = {
  namespace: 'shop',
  hpa: 'orders',
  deployment: 'orders',
  startedAt: '2026-01-01T00:00:00.000Z',
  minReplicas: 2,
  maxReplicas: 6,
  marks: { 'load-start': 1_000, 'load-end': 20_000 },
  peakReplicas: 5,
  peakPods: 5,
  samples: [
    { t: 0, replicas: 2, ready: 2, desired: 2 },
    { t: 3_000, replicas: 4, ready: 2, desired: 4 },
    { t: 6_000, replicas: 4, ready: 4, desired: 4 },
    { t: 9_000, replicas: 5, ready: 5, desired: 5 },
    { t: 30_000, replicas: 3, ready: 3, desired: 2 },
    { t: 45_000, replicas: 2, ready: 2, desired: 2 },
  ],
};

describe('summarizeAutoscale', () => {
  it('measures time to reach each target in ready pods from a mark, and time back down to minReplicas', () => {
    const s = summarizeAutoscale(timeline, [3, 4, 5, 6], { from: 'load-start', after: 'load-end' });
    expect(s).to.deep.equal({ peakReplicas: 5, timeToReachMs: { '3': 5_000, '4': 5_000, '5': 8_000, '6': null }, scaleBackMs: 25_000 });
  });

  it('without marks measures from the start and from the peak', () => {
    expect(summarizeAutoscale(timeline, [4])).to.deep.equal({ peakReplicas: 5, timeToReachMs: { '4': 6_000 }, scaleBackMs: 36_000 });
  });

  it('has no scale-back time when it never scaled up, or never came back', () => {
    const flat = { ...timeline, peakReplicas: 2, peakPods: 2, samples: [{ t: 0, replicas: 2, ready: 2, desired: 2 }] };
    expect(summarizeAutoscale(flat, []).scaleBackMs).to.equal(null);
    const stuck = { ...timeline, samples: timeline.samples.slice(0, 4) };
    expect(summarizeAutoscale(stuck, []).scaleBackMs).to.equal(null);
  });

  it('gives metrics for results.json and the sample in force at a time', () => {
    const metrics = autoscaleMetrics(timeline, summarizeAutoscale(timeline, [4, 6], { from: 'load-start' }));
    expect(metrics).to.deep.equal([
      { name: 'autoscale.max_replicas', kind: 'gauge', tags: { namespace: 'shop', deployment: 'orders' }, value: 5 },
      {
        name: 'autoscale.time_to_reach',
        kind: 'gauge',
        tags: { namespace: 'shop', deployment: 'orders', replicas: '4' },
        value: 5_000,
        unit: 'ms',
      },
      { name: 'autoscale.scale_back_time', kind: 'gauge', tags: { namespace: 'shop', deployment: 'orders' }, value: 36_000, unit: 'ms' },
    ]);
    expect(replicasAt(timeline, 7_000)).to.deep.equal({ t: 6_000, replicas: 4, ready: 4, desired: 4 });
    expect(replicasAt(timeline, -1)).to.equal(undefined);
  });

  it('counts Ready pods as the peak: pods stuck Pending asked for more, but served nothing', () => {
    const samples = [
      { t: 0, replicas: 1, ready: 1, desired: 1 },
      { t: 1_000, replicas: 50, ready: 1, desired: 50 },
      { t: 5_000, replicas: 50, ready: 12, desired: 50 },
      { t: 9_000, replicas: 3, ready: 3, desired: 3 },
    ];
    expect(peaksOf(samples)).to.deep.equal({ peakReplicas: 12, peakPods: 50 });
    const pending: AutoscaleTimeline = { ...timeline, minReplicas: 1, maxReplicas: 50, samples, ...peaksOf(samples) };
    const summary = summarizeAutoscale(pending, [10, 50]);
    expect(summary.peakReplicas).to.equal(12);
    expect(summary.timeToReachMs).to.deep.equal({ '10': 5_000, '50': null });
    expect(autoscaleMetrics(pending, summary)[0]).to.deep.include({ name: 'autoscale.max_replicas', value: 12 });
    expect(peaksOf([])).to.deep.equal({ peakReplicas: 0, peakPods: 0 });
  });
});
