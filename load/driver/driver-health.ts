import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { LatencyRecorder } from './latency-recorder';

/**
 * Beyond this lateness (p99 of how far behind its schedule the driver admitted arrivals) the driver, not the
 * target, set the pace. A quarter of the seed's p99 budget (1 s): below it the lateness is reported
 * (`load.driver_lateness`) and included in the corrected figures, which stay meaningful; a driver that cannot keep
 * up falls further behind every second and passes it quickly.
 */
export const DRIVER_LATENESS_BOUND_MS = 250;
/** The driver is one JavaScript thread: at this share of a core it cannot go faster. */
export const DRIVER_CPU_BOUND_CORES = 0.95;

/** How the driver itself fared: whether it kept its schedule, and why not. */
export interface DriverHealth {
  /** How late arrivals were admitted against their scheduled time (open models), ms. */
  latenessP99Ms: number;
  latenessMaxMs: number;
  /** The event loop's own delay (perf_hooks.monitorEventLoopDelay), ms. */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU of the driver's process over the run, in cores. */
  cpuCores: number;
  /** True when the driver could not keep its schedule; `reasons` says how. */
  limited: boolean;
  reasons: string[];
}

/** Watches the driver's event loop, its CPU and its lateness against the schedule, from start to `finish`. */
export class DriverHealthMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly lateness = new LatencyRecorder();
  private readonly cpuStart = process.cpuUsage();
  private readonly wallStart = performance.now();

  constructor() {
    this.loop.enable();
  }

  /** An arrival due at `dueAt` admitted at `now` (performance.now() ms). */
  admitted(dueAt: number, now: number): void {
    this.lateness.record(Math.max(0, now - dueAt));
  }

  finish(): DriverHealth {
    this.loop.disable();
    const cpu = process.cpuUsage(this.cpuStart);
    const wallMs = Math.max(1, performance.now() - this.wallStart);
    const late = this.lateness.summary();
    const health = {
      latenessP99Ms: late.count > 0 ? round(late.p99) : 0,
      latenessMaxMs: late.count > 0 ? round(late.max) : 0,
      eventLoopDelayP99Ms: this.loop.count > 0 ? round(this.loop.percentile(99) / 1e6) : 0,
      eventLoopDelayMaxMs: this.loop.count > 0 ? round(this.loop.max / 1e6) : 0,
      cpuCores: round((cpu.user + cpu.system) / 1000 / wallMs),
    };
    return { ...health, ...judge(health) };
  }
}

/** Limited when the driver fell behind its schedule beyond the bound, or used all of its one core. */
export function judge(h: Omit<DriverHealth, 'limited' | 'reasons'>): { limited: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (h.latenessP99Ms > DRIVER_LATENESS_BOUND_MS)
    reasons.push(
      `it sent p99 ${h.latenessP99Ms} ms behind its schedule (bound ${DRIVER_LATENESS_BOUND_MS} ms; event-loop delay p99 ${h.eventLoopDelayP99Ms} ms)`,
    );
  if (h.cpuCores >= DRIVER_CPU_BOUND_CORES) reasons.push(`its process used ${h.cpuCores} of its one core`);
  return { limited: reasons.length > 0, reasons };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
