import { niceTicks, ninesOf, PALETTE, tickLabel } from './chart-scale';

/**
 * Geometry of an inline SVG line chart. Only numbers and labels leave this module; the template draws them,
 * so every label passes through the template's HTML escaping.
 */
export interface LinePoint {
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** `nines` puts x (a percentile) on a -log10(1 - p) axis. */
  xScale?: 'linear' | 'nines';
  width?: number;
  height?: number;
}

export interface ChartTick {
  pos: number;
  label: string;
}

export interface ChartView {
  title: string;
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  xLabel: string;
  yLabel: string;
  xTicks: ChartTick[];
  yTicks: ChartTick[];
  lines: { name: string; color: string; points: string; dots: { cx: number; cy: number; tip: string }[] }[];
  bars: { x: number; y: number; w: number; h: number; tip: string }[];
  empty: boolean;
}

const PERCENTILE_TICKS = [0, 50, 90, 99, 99.9, 99.99, 99.999];
/** Few points get a hoverable dot with its value; a per-second timeline would be a smear of them. */
const MAX_DOTS = 40;
/** A chart a few hundred pixels wide cannot show more; an hour at one point per second would be 3600. */
const MAX_POINTS = 600;

export function lineChart(series: LineSeries[], opts: LineChartOptions): ChartView {
  const width = opts.width ?? 640;
  const height = opts.height ?? 260;
  const plot = { left: 56, top: 28, right: width - 28, bottom: height - 40 };
  const nines = opts.xScale === 'nines';
  const tx = (x: number): number => (nines ? ninesOf(x) : x);
  const withPoints = series.filter((s) => s.points.length > 0);
  const xs = withPoints.flatMap((s) => s.points.map((p) => tx(p.x)));
  const ys = withPoints.flatMap((s) => s.points.map((p) => p.y));
  const view: ChartView = {
    title: opts.title,
    width,
    height,
    plot,
    xLabel: opts.xLabel,
    yLabel: opts.yLabel,
    xTicks: [],
    yTicks: [],
    lines: [],
    bars: [],
    empty: xs.length === 0,
  };
  if (view.empty) return view;

  const yTickValues = niceTicks(Math.min(0, ...ys), Math.max(...ys));
  const yMin = yTickValues[0] ?? 0;
  const yMax = yTickValues[yTickValues.length - 1] ?? 1;
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  let xTickValues: { v: number; label: string }[];
  if (nines) {
    xMin = 0;
    const shown = PERCENTILE_TICKS.filter((p) => ninesOf(p) <= xMax + 1e-9);
    const next = PERCENTILE_TICKS.find((p) => ninesOf(p) > xMax + 1e-9);
    if (next !== undefined && ninesOf(shown[shown.length - 1] ?? 0) < xMax - 1e-9) shown.push(next);
    xMax = ninesOf(shown[shown.length - 1] ?? 99);
    xTickValues = shown.map((p) => ({ v: ninesOf(p), label: p === 0 ? '' : `p${p}` }));
  } else {
    const ticks = niceTicks(xMin, xMax, 6);
    xMin = ticks[0] ?? xMin;
    xMax = ticks[ticks.length - 1] ?? xMax;
    xTickValues = ticks.map((v) => ({ v, label: tickLabel(v) }));
  }
  const sx = (v: number): number => round(plot.left + ((v - xMin) / (xMax - xMin || 1)) * (plot.right - plot.left));
  const sy = (v: number): number => round(plot.bottom - ((v - yMin) / (yMax - yMin || 1)) * (plot.bottom - plot.top));
  view.xTicks = xTickValues.map((t) => ({ pos: sx(t.v), label: t.label }));
  view.yTicks = yTickValues.map((v) => ({ pos: sy(v), label: tickLabel(v) }));
  view.lines = series.map((s, i) => {
    const pts = thin(s.points, MAX_POINTS).map((p) => ({
      cx: sx(tx(p.x)),
      cy: sy(p.y),
      tip: `${s.name}: ${nines ? `p${p.x}` : tickLabel(p.x)} → ${tickLabel(p.y)}`,
    }));
    return {
      name: s.name,
      color: PALETTE[i % PALETTE.length] as string,
      points: pts.map((p) => `${p.cx},${p.cy}`).join(' '),
      dots: pts.length <= MAX_DOTS ? pts : [],
    };
  });
  return view;
}

/**
 * Fewer points for long series: the x range is cut into MAX_POINTS / 2 slices and each keeps its lowest and
 * highest point, so a one-second spike still shows.
 */
export function thin(points: LinePoint[], max: number): LinePoint[] {
  if (points.length <= max) return points;
  const slices = Math.floor(max / 2);
  const xs = points.map((p) => p.x);
  const x0 = Math.min(...xs);
  const width = (Math.max(...xs) - x0) / slices || 1;
  const kept: LinePoint[][] = Array.from({ length: slices }, () => []);
  for (const p of points) kept[Math.min(slices - 1, Math.floor((p.x - x0) / width))]?.push(p);
  return kept.flatMap((slice) => {
    if (slice.length <= 2) return slice;
    const lo = slice.reduce((a, b) => (b.y < a.y ? b : a));
    const hi = slice.reduce((a, b) => (b.y > a.y ? b : a));
    return lo === hi ? [lo] : lo.x <= hi.x ? [lo, hi] : [hi, lo];
  });
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
