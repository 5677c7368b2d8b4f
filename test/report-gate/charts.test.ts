import { expect } from 'chai';
import { niceTicks, ninesOf } from '../../harness/report/charts/chart-scale';
import { histogramChart } from '../../harness/report/charts/histogram-chart';
import { lineChart, thin } from '../../harness/report/charts/line-chart';
import { percentilesFromHistogram, percentilesFromStats } from '../../harness/report/charts/percentile-curve';

describe('report charts', () => {
  it('reads percentiles from histogram buckets, only as far as the sample count supports', () => {
    const buckets = [
      { le: 100, count: 10 },
      { le: 10, count: 900 },
      { le: 50, count: 90 },
    ];
    expect(percentilesFromHistogram(buckets)).to.deep.equal([
      { x: 50, y: 10 },
      { x: 75, y: 10 },
      { x: 90, y: 10 },
      { x: 95, y: 50 },
      { x: 99, y: 50 },
      { x: 99.5, y: 100 },
      { x: 99.9, y: 100 },
    ]);
    expect(
      percentilesFromHistogram(buckets.map((b) => ({ ...b, count: b.count / 10 }))).map((p) => p.x),
      '100 samples reach p99, not p99.5',
    ).to.deep.equal([50, 75, 90, 95, 99]);
    expect(percentilesFromHistogram([])).to.deep.equal([]);
    expect(percentilesFromHistogram([{ le: 5, count: 0 }])).to.deep.equal([]);
  });

  it('reads percentiles from a trend’s stats, ignoring non-percentile keys', () => {
    expect(percentilesFromStats({ max: 9, 'p99.9': 8, p50: 1, avg: 2, p99: 5 })).to.deep.equal([
      { x: 50, y: 1 },
      { x: 99, y: 5 },
      { x: 99.9, y: 8 },
    ]);
  });

  it('puts round ticks around the data', () => {
    expect(niceTicks(0, 950)).to.deep.equal([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(0, 1)).to.deep.equal([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(5, 5)[0]).to.equal(5);
    expect(ninesOf(99)).to.be.closeTo(2, 1e-9);
    expect(ninesOf(99.9)).to.be.closeTo(3, 1e-9);
  });

  it('maps points into the plot area, with the percentile axis in nines', () => {
    const chart = lineChart(
      [
        {
          name: 'orders',
          points: [
            { x: 50, y: 0 },
            { x: 99, y: 100 },
          ],
        },
      ],
      { title: 't', xLabel: 'percentile', yLabel: 'ms', xScale: 'nines', width: 600, height: 300 },
    );
    expect(chart.empty).to.equal(false);
    expect(chart.xTicks.map((t) => t.label)).to.deep.equal(['', 'p50', 'p90', 'p99']);
    const [first, second] = chart.lines[0]?.dots ?? [];
    expect(first?.cy).to.equal(chart.plot.bottom);
    expect(second?.cy).to.equal(chart.plot.top);
    expect(second?.cx).to.equal(chart.plot.right);
    expect(second?.tip).to.equal('orders: p99 → 100');
    for (const d of chart.lines[0]?.dots ?? []) {
      expect(d.cx).to.be.within(chart.plot.left, chart.plot.right);
      expect(d.cy).to.be.within(chart.plot.top, chart.plot.bottom);
    }
  });

  it('drops dots on long timelines and reports an empty chart as empty', () => {
    const long = lineChart([{ name: 'requests', points: Array.from({ length: 300 }, (_, t) => ({ x: t, y: t % 7 })) }], {
      title: 't',
      xLabel: 's',
      yLabel: 'n',
    });
    expect(long.lines[0]?.dots).to.deep.equal([]);
    expect(long.lines[0]?.points.split(' ')).to.have.length(300);
    // an hour at one point per second is thinned, and a one-second spike survives it
    const hour = Array.from({ length: 3600 }, (_, t) => ({ x: t, y: t === 1234 ? 500 : 10 + (t % 3) }));
    const thinned = thin(hour, 600);
    expect(thinned.length).to.be.at.most(600).and.at.least(300);
    expect(thinned).to.deep.include({ x: 1234, y: 500 });
    expect(Math.min(...thinned.map((p) => p.y))).to.equal(10);
    expect(thinned.map((p) => p.x)).to.deep.equal([...thinned.map((p) => p.x)].sort((a, b) => a - b));
    const empty = lineChart([{ name: 'nothing', points: [] }], { title: 't', xLabel: 's', yLabel: 'n' });
    expect(empty.empty).to.equal(true);
    expect(histogramChart([], { title: 'h' }).empty).to.equal(true);
  });

  it('draws histogram bars proportional to the counts, in bucket order', () => {
    const h = histogramChart(
      [
        { le: 50, count: 10 },
        { le: 5, count: 40 },
      ],
      { title: 'h', height: 240 },
    );
    expect(h.bars.map((b) => b.tip)).to.deep.equal(['≤ 5 ms: 40', '≤ 50 ms: 10']);
    expect(h.bars[0]?.h).to.equal(h.plot.bottom - h.plot.top);
    expect(h.bars[1]?.h).to.be.closeTo((h.plot.bottom - h.plot.top) / 4, 0.1);
  });
});
