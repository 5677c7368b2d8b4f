import type { UsageReading } from '../../harness/targets/deployment';
import type { ProcessUsage } from '../scenarios/process-sampler';

export interface IntegratedUsage {
  usage: ProcessUsage[];
  /** Longest averaging window among the readings used, in seconds: the resolution of the figures. */
  resolutionSeconds: number;
  /** Share of the run (0..1) the readings' windows covered, worst pod; the rest carried the covered part's average. */
  coverage: number;
}

interface Series {
  process: string;
  readings: UsageReading[];
}

/**
 * CPU-seconds and peak memory per process over the run [startMs, endMs] from windowed readings (metrics-server's
 * PodMetrics). Each reading is the average rate over its own window; windows are clipped to the run and to the end of
 * the reading before, so overlapping windows never count twice. What no window covered — mostly the run's last
 * seconds, which metrics-server has not scraped yet — carries the average rate of what was covered (or, when nothing
 * was, the rate read just before the run); coverage says how much of the run that was. A pod counts from its first
 * window on, so one an autoscaler added mid-run is not charged for the time before it ran. Pods of one process are
 * added up; peak memory is the largest any one pod reached, comparable with a single process's RSS.
 */
export function integrateReadings(readings: UsageReading[], startMs: number, endMs: number): IntegratedUsage {
  const series = new Map<string, Series>();
  const seen = new Set<string>();
  for (const r of readings) {
    const key = `${r.pod}/${r.process}`;
    if (seen.has(`${key}@${r.at}`)) continue;
    seen.add(`${key}@${r.at}`);
    const s = series.get(key) ?? { process: r.process, readings: [] };
    s.readings.push(r);
    series.set(key, s);
  }
  const perProcess = new Map<string, ProcessUsage>();
  let coverage = 1;
  let resolutionMs = 0;
  for (const s of series.values()) {
    const sorted = s.readings.sort((a, b) => a.at - b.at);
    const first = sorted[0] as UsageReading;
    const spanMs = Math.max(0, endMs - Math.max(startMs, first.at - first.windowMs));
    let cpuMs = 0;
    let coveredMs = 0;
    let peak = 0;
    let previousEnd = -Infinity;
    let before: UsageReading | undefined;
    for (const r of sorted) {
      const from = Math.max(startMs, r.at - r.windowMs, previousEnd);
      const to = Math.min(endMs, r.at);
      previousEnd = r.at;
      if (r.at <= startMs) before = r;
      if (to <= from) continue;
      cpuMs += r.cores * (to - from);
      coveredMs += to - from;
      peak = Math.max(peak, r.memoryMb);
      resolutionMs = Math.max(resolutionMs, r.windowMs);
    }
    if (coveredMs > 0) cpuMs *= spanMs / coveredMs;
    else if (before) {
      cpuMs = before.cores * spanMs;
      peak = before.memoryMb;
      resolutionMs = Math.max(resolutionMs, before.windowMs);
    } else continue;
    if (spanMs > 0) coverage = Math.min(coverage, coveredMs / spanMs);
    const p = perProcess.get(s.process) ?? { process: s.process, cpuSeconds: 0, peakRssMb: 0 };
    p.cpuSeconds += cpuMs / 1000;
    p.peakRssMb = Math.max(p.peakRssMb, Math.round(peak * 10) / 10);
    perProcess.set(s.process, p);
  }
  return { usage: [...perProcess.values()], resolutionSeconds: resolutionMs / 1000, coverage: perProcess.size > 0 ? coverage : 0 };
}
