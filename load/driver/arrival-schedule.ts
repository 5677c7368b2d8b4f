import type { LoadModel } from './driver-options';

/** A stretch of time over which the arrival rate moves linearly from `fromRatePerSecond` to `toRatePerSecond`. */
export interface RateSegment {
  durationMs: number;
  fromRatePerSecond: number;
  toRatePerSecond: number;
}

/**
 * The rate function of an open or ramping model, warm-up first (held at the model's starting rate) so the
 * schedule runs on without a seam when measurement begins. A closed model has no schedule.
 */
export function rateSegments(model: LoadModel, warmupMs: number, durationMs: number): RateSegment[] {
  if (model.kind === 'closed') return [];
  const startRate = model.kind === 'open' ? model.ratePerSecond : (model.startRatePerSecond ?? 0);
  const segments: RateSegment[] = [];
  if (warmupMs > 0) segments.push({ durationMs: warmupMs, fromRatePerSecond: startRate, toRatePerSecond: startRate });
  if (model.kind === 'open') {
    segments.push({ durationMs, fromRatePerSecond: startRate, toRatePerSecond: startRate });
    return segments;
  }
  let remainingMs = durationMs;
  let from = startRate;
  for (const stage of model.stages) {
    if (remainingMs <= 0) break;
    const ms = Math.min(stage.durationMs, remainingMs);
    // A stage cut short by durationMs ends at the rate it had reached by then.
    const to = from + ((stage.targetRatePerSecond - from) * ms) / stage.durationMs;
    segments.push({ durationMs: ms, fromRatePerSecond: from, toRatePerSecond: to });
    from = stage.targetRatePerSecond;
    remainingMs -= ms;
  }
  return segments;
}

export interface ArrivalSchedule {
  /** Intended send time of the next arrival, in ms since the start; undefined once the schedule is over. */
  next(): number | undefined;
  /** Length of the whole schedule in ms. */
  readonly endMs: number;
}

/**
 * Arrival i is due when the integral of the rate reaches i, so arrival 0 is at t = 0 and a constant rate r puts
 * arrival i at i/r: the schedule is a pure function of the model, never of how fast the target answers.
 */
export function arrivalSchedule(segments: RateSegment[]): ArrivalSchedule {
  const endMs = segments.reduce((n, s) => n + s.durationMs, 0);
  let segment = 0;
  let segmentStartMs = 0;
  let arrivalsBeforeSegment = 0;
  let index = 0;

  function next(): number | undefined {
    for (;;) {
      const s = segments[segment];
      if (!s) return undefined;
      const seconds = s.durationMs / 1000;
      const inSegment = ((s.fromRatePerSecond + s.toRatePerSecond) / 2) * seconds;
      const n = index - arrivalsBeforeSegment;
      if (n >= inSegment - 1e-9) {
        arrivalsBeforeSegment += inSegment;
        segmentStartMs += s.durationMs;
        segment++;
        continue;
      }
      index++;
      return segmentStartMs + secondsToReach(n, s.fromRatePerSecond, s.toRatePerSecond, seconds) * 1000;
    }
  }
  return { next, endMs };
}

/**
 * Solves r0·τ + (r1 − r0)·τ²/(2D) = n for τ in [0, D]. Written as 2n / (r0 + √(r0² + 4an)) it stays exact
 * when the ramp is flat (a = 0) and when it starts from zero (r0 = 0).
 */
function secondsToReach(n: number, r0: number, r1: number, durationSeconds: number): number {
  if (n <= 0) return 0;
  const a = (r1 - r0) / (2 * durationSeconds);
  const root = Math.sqrt(Math.max(0, r0 * r0 + 4 * a * n));
  return Math.min(durationSeconds, (2 * n) / (r0 + root));
}
