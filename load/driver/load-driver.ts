import { performance } from 'node:perf_hooks';
import { arrivalSchedule, rateSegments, type ArrivalSchedule } from './arrival-schedule';
import { resolveDriverOptions, type DriverOptions, type ProgressSnapshot, type ResolvedDriverOptions } from './driver-options';
import type { DriverResult, DriverTotals, StopReason } from './driver-result';
import { epochNow, toEpochMs } from './epoch-clock';
import { classifyStatus, classifyTransportError } from './error-kind';
import { LatencyRecorder } from './latency-recorder';
import { RequestSender, type SendOutcome } from './request-sender';
import { TimelineBuilder } from './timeline';
import { DriverHealthMonitor } from './driver-health';

/** A closed-model connection whose request failed without an answer waits this long, so a dead target is not spun on. */
const CLOSED_ERROR_BACKOFF_MS = 10;
/** Arrivals admitted per scheduler turn before yielding to I/O, so catching up after a stall stays responsive. */
const MAX_ADMISSIONS_PER_TURN = 10_000;

/**
 * Drives HTTP load at a target and measures it. Open and ramping models send on a schedule fixed in advance and
 * measure latency from each request's intended send time (wrk2-style coordinated-omission correction); the
 * closed model keeps `connections × pipelining` requests in flight and measures from the actual send.
 * Rejects with a usage error, before sending anything, when the options are wrong or the target is not loopback.
 */
export async function runLoad(options: DriverOptions): Promise<DriverResult> {
  const resolved = resolveDriverOptions(options);
  return new LoadRun(resolved).run();
}

class LoadRun {
  private readonly sender: RequestSender;
  private readonly slots: number;
  private readonly schedule: ArrivalSchedule | undefined;
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  private readonly measureStart: number;
  private readonly sendEnd: number;
  private readonly timeline: TimelineBuilder;
  private readonly corrected = new LatencyRecorder();
  private readonly uncorrected = new LatencyRecorder();
  private readonly totals: DriverTotals = {
    sent: 0,
    completed: 0,
    ok: 0,
    errors: 0,
    timeouts: 0,
    dropped: 0,
    unfinished: 0,
    errorsByKind: {},
  };
  private readonly warmup = { sent: 0, completed: 0, dropped: 0 };
  private readonly health = new DriverHealthMonitor();

  /** Requests given an index (warm-up included): the maxRequests count. */
  private admitted = 0;
  /** Measured requests admitted; `unfinished` is what of these never completed. */
  private measuredAdmitted = 0;
  private inFlight = 0;
  /** Intended send times (absolute ms) and indexes of admitted requests waiting for a free connection slot. */
  private readonly queue: { intendedAt: number; index: number }[] = [];
  private queueHead = 0;
  /** The schedule's next arrival (ms since start), read ahead but not yet due. */
  private nextDue: number | undefined;

  private sending = true;
  private finished = false;
  private stopReason: StopReason = 'completed';
  private sendingEndedAt = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private progressTimer: NodeJS.Timeout | undefined;
  private fatal: unknown;
  private resolve!: (result: DriverResult) => void;
  private reject!: (err: unknown) => void;
  private readonly onAbort = (): void => this.stopSending('aborted');

  constructor(private readonly o: ResolvedDriverOptions) {
    this.slots = o.connections * o.pipelining;
    this.measureStart = this.t0 + o.warmupMs;
    this.sendEnd = this.measureStart + o.durationMs;
    this.timeline = new TimelineBuilder(this.measureStart);
    this.schedule = o.model.kind === 'closed' ? undefined : arrivalSchedule(rateSegments(o.model, o.warmupMs, o.durationMs));
    this.sender = new RequestSender({
      origin: o.target.origin,
      basePath: o.target.pathname.replace(/\/$/, ''),
      connections: o.connections,
      pipelining: o.pipelining,
      timeoutMs: o.timeoutMs,
      readBody: o.classify !== undefined,
    });
  }

  run(): Promise<DriverResult> {
    return new Promise<DriverResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.o.signal?.aborted) {
        this.stopSending('aborted');
        return;
      }
      this.o.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.after(this.o.hardDeadlineMs, () => this.finish('deadline'));
      if (this.o.onProgress) this.progressTimer = setInterval(() => this.reportProgress(), 1000);
      if (this.schedule) {
        this.scheduleTurn();
      } else {
        this.after(this.o.warmupMs + this.o.durationMs, () => this.stopSending('completed'));
        for (let i = 0; i < this.slots && this.sending; i++) this.sendClosed();
      }
    });
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
  }

  // ---- open and ramping models -------------------------------------------------------------------------------

  private readonly scheduleTurn = (): void => {
    if (!this.sending || !this.schedule) return;
    const now = performance.now();
    let admittedThisTurn = 0;
    for (;;) {
      const due = this.nextDue ?? (this.nextDue = this.schedule.next());
      if (due === undefined) {
        // Schedule exhausted: the window still lasts until its end, so the achieved rate divides by the full length.
        this.after(this.sendEnd - now, () => this.stopSending('completed'));
        return;
      }
      const dueAt = this.t0 + due;
      if (dueAt > now) {
        this.after(Math.min(dueAt - now, 1000), this.scheduleTurn);
        return;
      }
      if (admittedThisTurn++ >= MAX_ADMISSIONS_PER_TURN) {
        setImmediate(this.scheduleTurn);
        return;
      }
      this.nextDue = undefined;
      if (dueAt >= this.measureStart) this.health.admitted(dueAt, now);
      this.arrive(dueAt, now);
      if (!this.sending) return;
    }
  };

  private arrive(intendedAt: number, now: number): void {
    if (this.admitted >= this.o.maxRequests) {
      this.stopSending('maxRequests');
      return;
    }
    const measured = intendedAt >= this.measureStart;
    if (this.inFlight + this.queueLength() >= this.o.maxInFlight) {
      if (measured) {
        this.totals.dropped++;
        this.timeline.recordDropped(now);
      } else {
        this.warmup.dropped++;
      }
      return;
    }
    const index = this.admitted++;
    if (measured) this.measuredAdmitted++;
    if (this.inFlight < this.slots) this.dispatch(intendedAt, index);
    else this.queue.push({ intendedAt, index });
  }

  private queueLength(): number {
    return this.queue.length - this.queueHead;
  }

  private dequeue(): { intendedAt: number; index: number } | undefined {
    const item = this.queue[this.queueHead];
    if (item === undefined) return undefined;
    this.queueHead++;
    if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return item;
  }

  // ---- closed model ------------------------------------------------------------------------------------------

  private sendClosed(): void {
    const now = performance.now();
    if (!this.sending) return;
    if (now >= this.sendEnd) {
      this.stopSending('completed');
      return;
    }
    if (this.admitted >= this.o.maxRequests) {
      this.stopSending('maxRequests');
      return;
    }
    const index = this.admitted++;
    if (now >= this.measureStart) this.measuredAdmitted++;
    this.dispatch(now, index);
  }

  // ---- both ----------------------------------------------------------------------------------------------------

  private dispatch(intendedAt: number, index: number): void {
    let request;
    try {
      request = this.o.request(index, { intendedAt: toEpochMs(intendedAt), dispatchedAt: epochNow() });
    } catch (err) {
      // A request builder that throws is a bug in the scenario, not a property of the target: stop and say so.
      this.fatal ??= err;
      this.stopSending('aborted');
      this.measuredAdmitted -= intendedAt >= this.measureStart ? 1 : 0;
      return;
    }
    const measured = intendedAt >= this.measureStart;
    this.inFlight++;
    if (measured) {
      this.totals.sent++;
      this.timeline.recordSent(performance.now());
    } else {
      this.warmup.sent++;
    }
    this.sender.send(request, (outcome) => this.complete(intendedAt, measured, outcome, index));
  }

  private complete(intendedAt: number, measured: boolean, outcome: SendOutcome, index: number): void {
    this.inFlight--;
    if (this.finished) return;
    this.o.onOutcome?.(index, { status: outcome.error === undefined ? outcome.status : undefined, measured });
    if (!measured) this.warmup.completed++;
    else this.record(intendedAt, outcome);

    if (this.sending && !this.schedule) {
      if (outcome.error !== undefined) this.after(CLOSED_ERROR_BACKOFF_MS, () => this.sendClosed());
      else this.sendClosed();
    } else if (this.queueLength() > 0 && this.stopReason !== 'aborted') {
      const next = this.dequeue();
      if (next) this.dispatch(next.intendedAt, next.index);
    }
    if (!this.sending) this.finishIfDrained();
  }

  private record(intendedAt: number, outcome: SendOutcome): void {
    const t = this.totals;
    t.completed++;
    let kind: string | undefined;
    if (outcome.error !== undefined || outcome.status === undefined) {
      kind = classifyTransportError(outcome.error);
    } else {
      try {
        kind = this.o.classify ? this.o.classify(outcome.status, outcome.body ?? '') : classifyStatus(outcome.status);
      } catch {
        kind = 'classify_threw';
      }
    }
    let latencyMs: number | undefined;
    const answered = outcome.status !== undefined && outcome.error === undefined;
    const timedOut = kind === 'timeout';
    if (timedOut) t.timeouts++;
    // A timed-out request is the slowest kind of answer, not a missing one: leaving it out would make a target
    // that stops answering look faster. It counts at the time the driver gave up, which is at least the timeout.
    // Other transport failures (refused, reset) come back early and would flatter the percentiles, so they don't.
    if (answered || timedOut) {
      const elapsedMs = outcome.endedAt - outcome.startedAt;
      const serviceMs = timedOut ? Math.max(elapsedMs, this.o.timeoutMs) : elapsedMs;
      // Without a schedule the intended time is the send itself: both figures are the service time.
      latencyMs = this.schedule ? Math.max(outcome.endedAt - intendedAt, serviceMs) : serviceMs;
      this.corrected.record(latencyMs);
      this.uncorrected.record(serviceMs);
    }
    if (kind === undefined) {
      t.ok++;
    } else {
      t.errors++;
      t.errorsByKind[kind] = (t.errorsByKind[kind] ?? 0) + 1;
    }
    this.timeline.recordCompleted(outcome.endedAt, kind, latencyMs);
  }

  // ---- ending ----------------------------------------------------------------------------------------------------

  private stopSending(reason: StopReason): void {
    if (!this.sending) {
      if (reason === 'aborted' && this.stopReason !== 'aborted') this.abortDrain();
      return;
    }
    this.sending = false;
    this.stopReason = reason;
    this.sendingEndedAt = Math.min(performance.now(), this.sendEnd);
    if (reason === 'aborted') this.abortDrain();
    this.finishIfDrained();
  }

  /** Abort: what waits for a slot is never sent, and what is in flight gets the grace period. */
  private abortDrain(): void {
    this.stopReason = 'aborted';
    this.queue.length = 0;
    this.queueHead = 0;
    const graceEnd = Math.min(this.o.abortGraceMs, this.o.hardDeadlineMs - (performance.now() - this.t0));
    this.after(graceEnd, () => this.finish('aborted'));
    this.finishIfDrained();
  }

  private finishIfDrained(): void {
    if (this.inFlight === 0 && this.queueLength() === 0) this.finish(this.stopReason);
  }

  private finish(reason: StopReason): void {
    if (this.finished) return;
    if (this.sending) {
      this.sending = false;
      this.sendingEndedAt = Math.min(performance.now(), this.sendEnd);
    }
    this.finished = true;
    this.stopReason = reason;
    const endedAt = performance.now();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    this.totals.unfinished = this.measuredAdmitted - this.totals.completed;
    const result = this.result(endedAt);
    this.sender.destroy().then(
      () => (this.fatal === undefined ? this.resolve(result) : this.reject(this.fatal)),
      (err: unknown) => this.reject(err),
    );
  }

  private result(endedAt: number): DriverResult {
    const o = this.o;
    const measuredMs = Math.max(0, this.sendingEndedAt - this.measureStart);
    const result: DriverResult = {
      model: o.model.kind,
      settings: this.settings(),
      // A deadline is the target not keeping up, measured to the end: what was still queued counts as unfinished.
      partial: this.stopReason === 'aborted',
      stopReason: this.stopReason,
      startedAt: this.startedAt.toISOString(),
      measuredMs: Math.round(measuredMs),
      totals: this.totals,
      warmup: this.warmup,
      achievedRatePerSecond: measuredMs > 0 ? round2(this.totals.sent / (measuredMs / 1000)) : 0,
      latency: { corrected: this.corrected.summary(), uncorrected: this.uncorrected.summary() },
      histogram: { corrected: this.corrected.chartBuckets(), uncorrected: this.uncorrected.chartBuckets() },
      timeline: this.timeline.finish(endedAt),
      driver: this.health.finish(),
    };
    if (o.model.kind !== 'closed') {
      const measuredSegments = rateSegments(o.model, 0, o.durationMs);
      const arrivals = measuredSegments.reduce((n, s) => n + ((s.fromRatePerSecond + s.toRatePerSecond) / 2) * (s.durationMs / 1000), 0);
      result.requestedRatePerSecond = round2(arrivals / (o.durationMs / 1000));
    }
    return result;
  }

  private settings(): Record<string, number | string | boolean> {
    const o = this.o;
    const s: Record<string, number | string | boolean> = {
      url: o.target.href,
      model: o.model.kind,
      connections: o.connections,
      pipelining: o.pipelining,
      durationMs: o.durationMs,
      warmupMs: o.warmupMs,
      timeoutMs: o.timeoutMs,
      maxRequests: o.maxRequests,
    };
    if (o.model.kind === 'open') s.ratePerSecond = o.model.ratePerSecond;
    if (o.model.kind === 'ramping') {
      s.startRatePerSecond = o.model.startRatePerSecond ?? 0;
      s.stages = o.model.stages.map((st) => `${st.durationMs}ms→${st.targetRatePerSecond}/s`).join(', ');
    }
    if (o.model.kind !== 'closed') s.maxInFlight = o.maxInFlight;
    return s;
  }

  private reportProgress(): void {
    const now = performance.now();
    if (now >= this.measureStart) this.timeline.advance(now);
    const last = this.timeline.points[this.timeline.points.length - 1];
    const snapshot: ProgressSnapshot = {
      phase: this.sending ? (now < this.measureStart ? 'warmup' : 'run') : 'drain',
      elapsedMs: Math.round(now - this.t0),
      sent: this.totals.sent,
      completed: this.totals.completed,
      errors: this.totals.errors,
      dropped: this.totals.dropped,
      inFlight: this.inFlight + this.queueLength(),
      ratePerSecond: last?.ratePerSecond ?? 0,
    };
    if (last?.p99 !== undefined) snapshot.p99Ms = last.p99;
    try {
      this.o.onProgress?.(snapshot);
    } catch {
      // A display callback must not break the measurement.
    }
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
