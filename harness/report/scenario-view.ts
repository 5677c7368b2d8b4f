import { formatNumber } from '../gate/measured-format';
import { seriesLabel } from '../gate/metric-series';
import type { RunResults, ScenarioResult } from '../results/results-model';
import { histogramChart } from './charts/histogram-chart';
import { lineChart, type ChartView, type LineSeries } from './charts/line-chart';
import { percentilesFromHistogram, percentilesFromStats } from './charts/percentile-curve';
import { anchorFor } from './page-anchor';

export interface ScenarioView {
  name: string;
  anchor: string;
  settings: { name: string; value: string }[];
  notApplicable?: string;
  totals: { requests: string; errors: string; seconds: string };
  charts: ChartView[];
  histograms: ChartView[];
}

export interface ResourceView {
  scenario: string;
  charts: ChartView[];
  processes: { process: string; maxCpu: string; avgCpu: string; maxRss: string; samples: number }[];
}

export interface AutoscaleView {
  chart: ChartView;
  settings: { name: string; value: string }[];
  peak: string;
}

export const AUTOSCALE_SCENARIO = 'autoscale';
/** Histogram series named `e2e <subscriber>` are pub/sub end-to-end latency; every other series is request latency. */
const LATENCY_FAMILIES = [
  { title: 'requests', test: (name: string) => !/^e2e\b|e2e_latency/.test(name) },
  { title: 'pub/sub end to end', test: (name: string) => /^e2e\b|e2e_latency/.test(name) },
];
/** A scenario setting that names the replica count autoscaling should reach, drawn as a line on the chart. */
const TARGET_SETTING = /(target.*replicas|replicas.*target|maxreplicas)/i;
const BASE_FIELDS = new Set(['t', 'requests', 'errors', 'p50', 'p99']);

/**
 * Seconds since the first point. Timelines normally count seconds from the start; epoch milliseconds are
 * recognised by their size and converted, so either form draws the same chart.
 */
function relativeSeconds(ts: number[]): (t: number) => number {
  const t0 = Math.min(...ts);
  const scale = t0 > 1e11 ? 1 / 1000 : 1;
  return (t) => (t - t0) * scale;
}

export function scenarioViews(results: RunResults): ScenarioView[] {
  return results.scenarios.map((s) => {
    const rel = relativeSeconds(s.timeline.map((p) => p.t));
    const line = (field: string): LineSeries => ({
      name: field,
      points: s.timeline.filter((p) => p[field] !== undefined).map((p) => ({ x: rel(p.t), y: p[field] as number })),
    });
    const charts: ChartView[] = [];

    // One chart per family: request latency and pub/sub end-to-end latency differ by orders of magnitude under
    // load, and on one axis the smaller family runs flat along the bottom.
    const curves = percentileSeries(results, s);
    const families = LATENCY_FAMILIES.map((f) => ({ ...f, curves: curves.filter((c) => f.test(c.name)) })).filter(
      (f) => f.curves.length > 0,
    );
    for (const family of families)
      charts.push(
        lineChart(family.curves, {
          title: families.length > 1 ? `Latency by percentile — ${family.title}` : 'Latency by percentile',
          xLabel: 'percentile',
          yLabel: 'ms',
          xScale: 'nines',
        }),
      );
    if (s.timeline.length > 0) {
      charts.push(
        lineChart([line('requests'), line('errors')], {
          title: 'Throughput and errors per second',
          xLabel: 'seconds since start',
          yLabel: 'per second',
        }),
      );
      const latency = [line('p50'), line('p99')].filter((l) => l.points.length > 0);
      if (latency.length > 0) charts.push(lineChart(latency, { title: 'Latency over time', xLabel: 'seconds since start', yLabel: 'ms' }));
      const extra = [...new Set(s.timeline.flatMap((p) => Object.keys(p)))].filter(
        (k) => !BASE_FIELDS.has(k) && !(s.name === AUTOSCALE_SCENARIO && k === 'replicas'),
      );
      if (extra.length > 0)
        charts.push(lineChart(extra.map(line), { title: 'Other timeline series', xLabel: 'seconds since start', yLabel: 'value' }));
    }
    const histograms = Object.entries(s.histograms ?? {}).map(([series, buckets]) =>
      histogramChart(buckets, { title: `Latency histogram${series ? ` — ${series}` : ''}` }),
    );
    const sum = (field: 'requests' | 'errors'): number => s.timeline.reduce((n, p) => n + p[field], 0);
    return {
      name: s.name,
      anchor: anchorFor('scenario', s.name),
      settings: settingsOf(s),
      notApplicable: s.notApplicable,
      totals: { requests: formatNumber(sum('requests')), errors: formatNumber(sum('errors')), seconds: String(s.timeline.length) },
      charts,
      histograms,
    };
  });
}

/** Curves from the scenario's histograms, or failing those from trend metrics tagged with the scenario. */
function percentileSeries(results: RunResults, s: ScenarioResult): LineSeries[] {
  const fromHistograms = Object.entries(s.histograms ?? {})
    .map(([series, buckets]) => ({ name: series || s.name, points: percentilesFromHistogram(buckets) }))
    .filter((l) => l.points.length > 0);
  if (fromHistograms.length > 0) return fromHistograms;
  return results.metrics
    .filter((m) => m.kind === 'trend' && m.tags.scenario === s.name && m.stats)
    .map((m) => {
      const rest = Object.fromEntries(Object.entries(m.tags).filter(([k]) => k !== 'scenario'));
      return { name: `${m.name}${Object.keys(rest).length ? ` ${seriesLabel(rest)}` : ''}`, points: percentilesFromStats(m.stats ?? {}) };
    })
    .filter((l) => l.points.length > 0);
}

function settingsOf(s: ScenarioResult): { name: string; value: string }[] {
  return Object.entries(s.settings).map(([name, value]) => ({ name, value: String(value) }));
}

/** The replica count over time, from the timeline of the scenario named `autoscale`. */
export function autoscaleView(results: RunResults): AutoscaleView | undefined {
  const s = results.scenarios.find((x) => x.name === AUTOSCALE_SCENARIO && x.timeline.some((p) => p.replicas !== undefined));
  if (!s) return undefined;
  const rel = relativeSeconds(s.timeline.map((p) => p.t));
  const points = s.timeline.filter((p) => p.replicas !== undefined).map((p) => ({ x: rel(p.t), y: p.replicas as number }));
  const lines: LineSeries[] = [{ name: 'replicas', points }];
  const target = Object.entries(s.settings).find(([k, v]) => TARGET_SETTING.test(k) && typeof v === 'number');
  const first = points[0];
  const last = points[points.length - 1];
  if (target && first && last)
    lines.push({
      name: `target (${target[0]})`,
      points: [
        { x: first.x, y: target[1] as number },
        { x: last.x, y: target[1] as number },
      ],
    });
  return {
    chart: lineChart(lines, { title: 'Replicas over time', xLabel: 'seconds since start', yLabel: 'replicas' }),
    settings: settingsOf(s),
    peak: formatNumber(Math.max(...points.map((p) => p.y))),
  };
}

/** CPU and memory of the sidecars (and any other sampled process) per scenario. */
export function resourceViews(results: RunResults): ResourceView[] {
  return results.scenarios
    .filter((s) => (s.resources ?? []).length > 0)
    .map((s) => {
      const samples = s.resources ?? [];
      const rel = relativeSeconds(samples.map((r) => r.t));
      const names = [...new Set(samples.map((r) => r.process))].sort();
      const of = (p: string): typeof samples => samples.filter((r) => r.process === p);
      const series = (field: 'cpuPercent' | 'rssMb'): LineSeries[] =>
        names.map((p) => ({ name: p, points: of(p).map((r) => ({ x: rel(r.t), y: r[field] })) }));
      return {
        scenario: s.name,
        charts: [
          lineChart(series('cpuPercent'), { title: `CPU — ${s.name}`, xLabel: 'seconds since start', yLabel: 'CPU %' }),
          lineChart(series('rssMb'), { title: `Memory (RSS) — ${s.name}`, xLabel: 'seconds since start', yLabel: 'MB' }),
        ],
        processes: names.map((p) => {
          const rows = of(p);
          const cpu = rows.map((r) => r.cpuPercent);
          return {
            process: p,
            maxCpu: `${formatNumber(Math.max(...cpu))} %`,
            avgCpu: `${formatNumber(cpu.reduce((a, b) => a + b, 0) / cpu.length)} %`,
            maxRss: `${formatNumber(Math.max(...rows.map((r) => r.rssMb)))} MB`,
            samples: rows.length,
          };
        }),
      };
    });
}
