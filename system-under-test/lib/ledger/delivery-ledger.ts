import { BoundedLog, setBounded } from '../bounded-log';
import type { CloudEventFields, Delivery } from './delivery';

/**
 * What one subscriber received, so that delivery guarantees are measured rather than assumed: every processed
 * delivery is an entry; a delivery of an event that was already answered SUCCESS is a duplicate (Dapr and
 * JetStream promise at-least-once, so duplicates are legal but must be counted).
 *
 * Deliveries answered with an injected RETRY/DROP are not entries (they were not processed) but they do count as
 * attempts, so the entry that finally succeeds shows how many tries it took.
 */
export interface LedgerEntry {
  eventId: string;
  cloudEventId: string | null;
  topic: string;
  publishedAt: number | null;
  /** Epoch ms this subscriber received the delivery. */
  receivedAt: number;
  /** How many deliveries of this event (on this topic) this subscriber has seen, this one included. */
  attempt: number;
  redelivered: boolean;
  /** A SUCCESS had already been returned for this event when it came again. */
  duplicate: boolean;
}

export interface LedgerQuery {
  topic?: string;
  eventId?: string;
  /** Only the newest `limit` matching entries are listed; the counts still cover all of them. */
  limit?: number;
}

export interface LedgerView {
  total: number;
  unique: number;
  duplicates: number;
  /** Entries dropped (oldest first) to stay within the bound, since the last reset. */
  evicted: number;
  /** Deliveries answered with an injected RETRY/DROP, since the last reset. */
  faulted: number;
  entries: LedgerEntry[];
}

export interface EventDetail extends CloudEventFields {
  eventId: string;
  /** The ledger topic (the subscription's), which may differ from the CloudEvent's topic for a dead letter. */
  topic: string;
  receivedAt: number;
  attempt: number;
  raw: boolean;
}

interface Seen {
  attempts: number;
  succeeded: boolean;
}

export const MAX_LEDGER_ENTRIES = 200_000;

export class DeliveryLedger {
  private readonly entries: BoundedLog<LedgerEntry>;
  private readonly seen = new Map<string, Seen>();
  private readonly latest = new Map<string, EventDetail>();
  private faulted = 0;

  constructor(
    private readonly maxEntries = MAX_LEDGER_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new BoundedLog(maxEntries);
  }

  /** A delivery that was processed (and will be answered SUCCESS). */
  accept(delivery: Delivery, topic: string): LedgerEntry {
    const seen = this.sight(delivery, topic);
    const entry: LedgerEntry = {
      eventId: delivery.eventId,
      cloudEventId: delivery.cloudEventId,
      topic,
      publishedAt: delivery.publishedAt,
      receivedAt: this.now(),
      attempt: seen.attempts,
      redelivered: seen.attempts > 1,
      duplicate: seen.succeeded,
    };
    seen.succeeded = true;
    this.entries.push(entry);
    setBounded(
      this.latest,
      delivery.eventId,
      {
        ...(delivery.cloudEvent ?? {}),
        eventId: delivery.eventId,
        topic,
        receivedAt: entry.receivedAt,
        attempt: entry.attempt,
        raw: delivery.raw,
      },
      this.maxEntries,
    );
    return entry;
  }

  /** The clock `receivedAt` is read from, so a harness can measure its offset from its own (GET /ledger/clock). */
  clock(): number {
    return this.now();
  }

  /** A delivery answered with an injected fault instead of being processed. */
  refuse(delivery: Delivery, topic: string): number {
    this.faulted += 1;
    return this.sight(delivery, topic).attempts;
  }

  query(q: LedgerQuery = {}): LedgerView {
    const matched: LedgerEntry[] = [];
    const ids = new Set<string>();
    let duplicates = 0;
    for (const e of this.entries) {
      if (q.topic !== undefined && e.topic !== q.topic) continue;
      if (q.eventId !== undefined && e.eventId !== q.eventId) continue;
      matched.push(e);
      ids.add(e.eventId);
      if (e.duplicate) duplicates += 1;
    }
    const entries = q.limit !== undefined && matched.length > q.limit ? matched.slice(matched.length - q.limit) : matched;
    return { total: matched.length, unique: ids.size, duplicates, evicted: this.entries.evicted, faulted: this.faulted, entries };
  }

  /** The latest processed delivery of an event, with its CloudEvent attributes. */
  event(eventId: string): EventDetail | undefined {
    return this.latest.get(eventId);
  }

  reset(): number {
    const cleared = this.entries.size;
    this.entries.clear();
    this.seen.clear();
    this.latest.clear();
    this.faulted = 0;
    return cleared;
  }

  private sight(delivery: Delivery, topic: string): Seen {
    // Keyed by topic too: a dead-lettered event keeps its eventId, and arriving on the dead-letter topic is its
    // first delivery there, not a redelivery.
    const key = `${topic}\n${delivery.eventId}`;
    const seen = this.seen.get(key) ?? { attempts: 0, succeeded: false };
    seen.attempts += 1;
    setBounded(this.seen, key, seen, this.maxEntries);
    return seen;
  }
}
