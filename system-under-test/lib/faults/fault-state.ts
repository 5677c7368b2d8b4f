import { BoundedLog, setBounded } from '../bounded-log';

/**
 * The faults a service has been asked to inject, and the log of calls that carried a fault key.
 * Faults are consumed in the order they were set; a fault with a key only matches calls whose `x-fault-key` equals
 * it, one without a key matches every call. Everything here is in memory and per process: each replica of an app
 * has its own faults, as each pod would.
 */
export type PubsubMode = 'RETRY' | 'DROP';

export interface CallFault {
  id: number;
  key?: string;
  remaining: number;
  status: number;
  delayMs: number;
}

export interface DelayFault {
  id: number;
  key?: string;
  /** Infinity until reset when no count was given. */
  remaining: number;
  delayMs: number;
}

export interface PubsubFault {
  id: number;
  topic?: string;
  mode: PubsubMode;
  /** Infinity when only a fraction was given. */
  remaining: number;
  /** Share of matching deliveries to fault, applied evenly (every 1/fraction-th), not at random. */
  fraction: number;
  seen: number;
}

export interface CallRecord {
  /** ISO 8601 time (ms precision) the response finished; sorts as text. */
  time: string;
  key: string;
  method: string;
  path: string;
  status: number;
  /** 1 for the first call seen with this key, 2 for the next (a retry, usually), and so on. */
  attempt: number;
}

export interface CallPlan {
  delayMs: number;
  /** Set when the call must fail instead of being handled. */
  failWith?: number;
}

export const MAX_CALL_LOG = 10_000;
/** Distinct keys whose attempt counters are kept; a load test may use a key per request. */
export const MAX_TRACKED_KEYS = 10_000;

export class FaultState {
  private nextId = 1;
  private calls: CallFault[] = [];
  private delays: DelayFault[] = [];
  private pubsub: PubsubFault[] = [];
  private readonly log: BoundedLog<CallRecord>;
  private readonly attempts = new Map<string, number>();

  constructor(
    maxCallLog = MAX_CALL_LOG,
    private readonly maxKeys = MAX_TRACKED_KEYS,
  ) {
    this.log = new BoundedLog(maxCallLog);
  }

  addCallFault(f: { key?: string; count: number; status: number; delayMs?: number }): CallFault {
    const fault: CallFault = { id: this.nextId++, key: f.key, remaining: f.count, status: f.status, delayMs: f.delayMs ?? 0 };
    this.calls.push(fault);
    return fault;
  }

  addDelayFault(f: { key?: string; delayMs: number; count?: number }): DelayFault {
    const fault: DelayFault = { id: this.nextId++, key: f.key, remaining: f.count ?? Infinity, delayMs: f.delayMs };
    this.delays.push(fault);
    return fault;
  }

  addPubsubFault(f: { topic?: string; mode: PubsubMode; count?: number; fraction?: number }): PubsubFault {
    const fault: PubsubFault = {
      id: this.nextId++,
      topic: f.topic,
      mode: f.mode,
      remaining: f.count ?? Infinity,
      fraction: f.fraction ?? 1,
      seen: 0,
    };
    this.pubsub.push(fault);
    return fault;
  }

  /** Consumes the faults that apply to one call: at most one delay and at most one failure. */
  planCall(key: string | undefined): CallPlan {
    const plan: CallPlan = { delayMs: 0 };
    const delay = this.delays.find((d) => matches(d.key, key));
    if (delay) {
      plan.delayMs += delay.delayMs;
      delay.remaining -= 1;
      if (delay.remaining <= 0) this.delays = this.delays.filter((d) => d !== delay);
    }
    const fail = this.calls.find((c) => matches(c.key, key));
    if (fail) {
      plan.delayMs += fail.delayMs;
      plan.failWith = fail.status;
      fail.remaining -= 1;
      if (fail.remaining <= 0) this.calls = this.calls.filter((c) => c !== fail);
    }
    return plan;
  }

  /** The answer to give a delivery on `topic` instead of processing it, if a pub/sub fault applies. */
  pubsubVerdict(topic: string): PubsubMode | undefined {
    for (const fault of this.pubsub) {
      if (fault.topic !== undefined && fault.topic !== topic) continue;
      fault.seen += 1;
      // Faults exactly floor(seen × fraction) deliveries so far: a fraction gives a count a test can predict.
      const due = Math.floor(fault.seen * fault.fraction) > Math.floor((fault.seen - 1) * fault.fraction);
      if (!due) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.pubsub = this.pubsub.filter((f) => f !== fault);
      return fault.mode;
    }
    return undefined;
  }

  /** Counts a call with this key and returns its attempt number. */
  nextAttempt(key: string): number {
    const n = (this.attempts.get(key) ?? 0) + 1;
    setBounded(this.attempts, key, n, this.maxKeys);
    return n;
  }

  recordCall(record: CallRecord): void {
    this.log.push(record);
  }

  /** Calls in the order they finished, oldest first; only those with `key` when given. */
  callLog(key?: string): CallRecord[] {
    const ordered = this.log.toArray();
    return key === undefined ? ordered : ordered.filter((c) => c.key === key);
  }

  active(): { calls: CallFault[]; delays: DelayFault[]; pubsub: PubsubFault[] } {
    return { calls: [...this.calls], delays: [...this.delays], pubsub: [...this.pubsub] };
  }

  reset(): { faults: number; calls: number } {
    const cleared = { faults: this.calls.length + this.delays.length + this.pubsub.length, calls: this.log.size };
    this.calls = [];
    this.delays = [];
    this.pubsub = [];
    this.log.clear();
    this.attempts.clear();
    return cleared;
  }
}

function matches(faultKey: string | undefined, callKey: string | undefined): boolean {
  return faultKey === undefined || faultKey === callKey;
}
