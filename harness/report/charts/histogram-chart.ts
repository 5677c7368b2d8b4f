import { niceTicks, tickLabel } from './chart-scale';
import type { ChartView } from './line-chart';

/** Bars of a latency histogram, one per bucket, equal width (buckets are usually exponential). */
export function histogramChart(
  buckets: { le: number; count: number }[],
  opts: { title: string; unit?: string; width?: number; height?: number },
): ChartView {
  const width = opts.width ?? 640;
  const height = opts.height ?? 220;
  const plot = { left: 56, top: 28, right: width - 16, bottom: height - 40 };
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const view: ChartView = {
    title: opts.title,
    width,
    height,
    plot,
    xLabel: `latency ≤ (${opts.unit ?? 'ms'})`,
    yLabel: 'requests',
    xTicks: [],
    yTicks: [],
    lines: [],
    bars: [],
    empty: sorted.length === 0,
  };
  if (view.empty) return view;
  const yTicks = niceTicks(0, Math.max(...sorted.map((b) => b.count)));
  const yMax = yTicks[yTicks.length - 1] || 1;
  const slot = (plot.right - plot.left) / sorted.length;
  const labelEvery = Math.max(1, Math.ceil(sorted.length / 10));
  view.yTicks = yTicks.map((v) => ({ pos: round(plot.bottom - (v / yMax) * (plot.bottom - plot.top)), label: tickLabel(v) }));
  sorted.forEach((b, i) => {
    const h = round((b.count / yMax) * (plot.bottom - plot.top));
    const x = round(plot.left + i * slot + slot * 0.1);
    view.bars.push({ x, y: round(plot.bottom - h), w: round(slot * 0.8), h, tip: `≤ ${tickLabel(b.le)} ${opts.unit ?? 'ms'}: ${b.count}` });
    if (i % labelEvery === 0) view.xTicks.push({ pos: round(x + slot * 0.4), label: Number.isFinite(b.le) ? tickLabel(b.le) : '+∞' });
  });
  return view;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
