import { performance } from 'node:perf_hooks';

/**
 * Epoch ms read off the monotonic clock the driver measures with. Request timings are on this clock, so anything
 * compared with them (a payload's send stamp, a clock-offset reading) must be too: Date.now() can be stepped or
 * slewed while a run lasts, this cannot.
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** A `performance.now()` reading as epoch ms on the same clock as `epochNow()`. */
export function toEpochMs(performanceMs: number): number {
  return performance.timeOrigin + performanceMs;
}
