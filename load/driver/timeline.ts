import { LatencyRecorder } from './latency-recorder';

/** One second of the measurement. Counts are of events that happened in that second. */
export interface TimelinePoint {
  /** Seconds since measurement began (warm-up excluded). */
  t: number;
  /** Requests that completed (answered or failed). */
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  /** Corrected latency of the second's answers, ms; absent when none came. */
  p50?: number;
  p99?: number;
  /** Requests sent in the second, per second of its length (the last point may be shorter than a second). */
  ratePerSecond: number;
  dropped: number;
}

/**
 * Every event is stamped with the time it is recorded, so events arrive in time order and only the current
 * second needs a histogram: memory stays flat however long the run.
 */
export class TimelineBuilder {
  readonly points: TimelinePoint[] = [];
  private second = 0;
  private sent = 0;
  private completed = 0;
  private errors = 0;
  private dropped = 0;
  private errorsByKind: Record<string, number> = {};
  private readonly latency = new LatencyRecorder();

  constructor(private readonly startMs: number) {}

  recordSent(at: number): void {
    this.advance(at);
    this.sent++;
  }

  recordDropped(at: number): void {
    this.advance(at);
    this.dropped++;
  }

  recordCompleted(at: number, errorKind: string | undefined, latencyMs: number | undefined): void {
    this.advance(at);
    this.completed++;
    if (errorKind !== undefined) {
      this.errors++;
      this.errorsByKind[errorKind] = (this.errorsByKind[errorKind] ?? 0) + 1;
    }
    if (latencyMs !== undefined) this.latency.record(latencyMs);
  }

  /** Closes every second that ended before `now`, empty ones included. */
  advance(now: number): void {
    const second = Math.floor((now - this.startMs) / 1000);
    while (this.second < second) this.close(1);
  }

  /** Closes the seconds up to `endMs`, the last one possibly short; returns the timeline. */
  finish(endMs: number): TimelinePoint[] {
    this.advance(endMs);
    const lengthSeconds = (endMs - this.startMs) / 1000 - this.second;
    if (lengthSeconds > 0 && (this.sent > 0 || this.completed > 0 || this.dropped > 0)) this.close(lengthSeconds);
    return this.points;
  }

  private close(lengthSeconds: number): void {
    const point: TimelinePoint = {
      t: this.second,
      requests: this.completed,
      errors: this.errors,
      errorsByKind: this.errorsByKind,
      ratePerSecond: Math.round((this.sent / lengthSeconds) * 100) / 100,
      dropped: this.dropped,
    };
    const p50 = this.latency.percentile(50);
    const p99 = this.latency.percentile(99);
    if (p50 !== undefined) point.p50 = p50;
    if (p99 !== undefined) point.p99 = p99;
    this.points.push(point);
    this.second++;
    this.sent = 0;
    this.completed = 0;
    this.errors = 0;
    this.dropped = 0;
    this.errorsByKind = {};
    this.latency.reset();
  }
}
