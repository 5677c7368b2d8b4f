import type { MetricSample } from '../../harness/results/results-model';

/** One NTP-style exchange: local clock before the request, the remote clock's answer, local clock after. */
export interface ClockReading {
  sentAt: number;
  remote: number;
  receivedAt: number;
}

/** How far a remote clock is from the local one, measured, with the bound the measurement allows. */
export interface ClockOffset {
  /** Remote minus local, ms: subtract it from a remote stamp to put the stamp on the local clock. */
  offsetMs: number;
  /** The true offset lies within offsetMs ± uncertaintyMs: half the round trip, plus half the remote resolution. */
  uncertaintyMs: number;
  /** Round trip of the exchange the estimate comes from (the quickest one). */
  rttMs: number;
  readings: number;
  /** The remote clock truncates to this step (1 ms for Date.now()); its stamps are off by half of it on average. */
  remoteResolutionMs: number;
}

/**
 * The offset from the quickest exchange (its round trip bounds the error tightest, as NTP's clock filter does).
 * The remote reading was taken somewhere between sentAt and receivedAt on the local clock, and a clock of
 * `remoteResolutionMs` truncates: the true remote time is in [remote, remote + resolution). The estimate is the
 * middle of the interval that leaves for the offset; the uncertainty is its half-width.
 */
export function offsetFromReadings(readings: ClockReading[], remoteResolutionMs = 1): ClockOffset {
  if (readings.length === 0) throw new Error('no clock readings to estimate an offset from');
  let best = readings[0] as ClockReading;
  for (const r of readings) if (r.receivedAt - r.sentAt < best.receivedAt - best.sentAt) best = r;
  const rttMs = best.receivedAt - best.sentAt;
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return {
    offsetMs: round(best.remote + remoteResolutionMs / 2 - (best.sentAt + best.receivedAt) / 2),
    uncertaintyMs: round((rttMs + remoteResolutionMs) / 2),
    rttMs: round(rttMs),
    readings: readings.length,
    remoteResolutionMs,
  };
}

/**
 * A remote stamp on the local clock. The stamp truncated the remote time, so the moment it stands for is half a
 * step later on average; then the offset is taken off. Nothing is clamped: a result before a local event it
 * should follow is evidence that the offset is wrong, and is for the caller to count.
 */
export function remoteStampToLocal(stamp: number, offset: ClockOffset): number {
  return stamp + offset.remoteResolutionMs / 2 - offset.offsetMs;
}

/** `count` exchanges one after another, each reading `now()` around `readRemote()`. */
export async function readClock(readRemote: () => Promise<number>, now: () => number, count: number): Promise<ClockReading[]> {
  const readings: ClockReading[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = now();
    const remote = await readRemote();
    readings.push({ sentAt, remote, receivedAt: now() });
  }
  return readings;
}

/** `pubsub.clock_offset` (ms, remote minus harness) and its uncertainty, one gauge each per subscriber instance. */
export function clockOffsetMetrics(prefix: string, tags: Record<string, string>, offset: ClockOffset): MetricSample[] {
  return [
    { name: `${prefix}.clock_offset`, kind: 'gauge', tags: { ...tags }, value: offset.offsetMs, unit: 'ms' },
    { name: `${prefix}.clock_offset_uncertainty`, kind: 'gauge', tags: { ...tags }, value: offset.uncertaintyMs, unit: 'ms' },
  ];
}
