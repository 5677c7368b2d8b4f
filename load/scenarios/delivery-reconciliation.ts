import type { MetricSample } from '../../harness/results/results-model';
import { bucketIndex, bucketUpperBoundMs } from '../driver/latency-recorder';

/** When one acknowledged event was meant to be published and when it was, on the publisher's clock (epoch ms). */
export interface PublishedEvent {
  /** The arrival schedule's slot: what a user who publishes at the asked rate would measure from. */
  intendedAt: number;
  /** When the publish request actually went out; later than intendedAt when it queued for a connection. */
  sentAt: number;
  /** Published during warm-up: counts for delivery, not in the latency figures. */
  warmup?: boolean;
}

/** What the publisher knows: events the broker acknowledged, with the times they were meant to go and went. */
export type PublisherRecord = Map<string, PublishedEvent>;

export interface DeliveredEntry {
  eventId: string;
  /** On the publisher's clock: the subscriber's stamp with its measured clock offset taken off. */
  receivedAt: number;
  duplicate: boolean;
}

export interface LatencyStats {
  min: number;
  avg: number;
  p50: number;
  p90: number;
  p99: number;
  'p99.9': number;
  max: number;
}

export interface SubscriberReconciliation {
  subscriber: string;
  acknowledged: number;
  /** Acknowledged events the subscriber processed at least once. */
  delivered: number;
  /** Not delivered, and the subscriber had stopped receiving: nothing more was coming. */
  lost: number;
  /** Not delivered yet, but the subscriber was still receiving when the drain ended: queued, not gone (overload). */
  backlog: number;
  duplicates: number;
  /** Delivered, but later than `lateAfterMs` after the intended publish time. */
  late: number;
  /** Entries for events the publisher has no acknowledgement of (refused publishes that still arrived). */
  unacknowledged: number;
  /** Deliveries of events published after the warm-up: what the latency figures cover. */
  latencyCount: number;
  /** First delivery minus intended publish time (coordinated-omission corrected). */
  latencyMs: LatencyStats | undefined;
  /** First delivery minus the actual send: what is left once the publisher's own queueing is taken out. */
  latencyUncorrectedMs: LatencyStats | undefined;
  /**
   * Deliveries that, on the publisher's clock, came before their publish request was sent. Impossible unless the
   * clock offset is wrong by more than its bound, so they are counted and kept in the figures, never clamped to 0.
   */
  negativeLatencies: number;
  /** Buckets of the corrected latency. */
  histogram: { le: number; count: number }[];
}

/**
 * Reconciles the publisher-side record with one subscriber's ledger: delivery rate is unique delivered over
 * acknowledged published — never "published" taken as "delivered". What is missing is backlog up to what the drain
 * (delivery-drain.ts) found still queued for the subscriber as it ended (`queued`), lost beyond it. End-to-end latency is measured twice: from the
 * intended publish time (so a publisher stalled by a slow broker shows the wait its users would feel) and from the
 * actual send.
 */
export function reconcile(
  subscriber: string,
  published: PublisherRecord,
  entries: DeliveredEntry[],
  lateAfterMs: number,
  queued = 0,
): SubscriberReconciliation {
  const firstSeen = new Map<string, number>();
  let duplicates = 0;
  let unacknowledged = 0;
  for (const e of entries) {
    if (!published.has(e.eventId)) {
      unacknowledged++;
      continue;
    }
    const seen = firstSeen.get(e.eventId);
    if (seen === undefined) firstSeen.set(e.eventId, e.receivedAt);
    else {
      duplicates++;
      if (e.receivedAt < seen) firstSeen.set(e.eventId, e.receivedAt);
    }
  }
  let measured = 0;
  for (const eventId of firstSeen.keys()) if (!published.get(eventId)?.warmup) measured++;
  const corrected = new Float64Array(measured);
  const uncorrected = new Float64Array(measured);
  let late = 0;
  let negativeLatencies = 0;
  let i = 0;
  for (const [eventId, receivedAt] of firstSeen) {
    const p = published.get(eventId) as PublishedEvent;
    if (p.warmup) continue;
    const fromIntended = receivedAt - p.intendedAt;
    const fromSend = receivedAt - p.sentAt;
    if (fromIntended > lateAfterMs) late++;
    if (fromSend < 0) negativeLatencies++;
    corrected[i] = fromIntended;
    uncorrected[i] = fromSend;
    i++;
  }
  return {
    subscriber,
    acknowledged: published.size,
    delivered: firstSeen.size,
    lost: published.size - firstSeen.size - Math.min(queued, published.size - firstSeen.size),
    backlog: Math.min(queued, published.size - firstSeen.size),
    duplicates,
    late,
    unacknowledged,
    latencyMs: statsOf(corrected),
    latencyUncorrectedMs: statsOf(uncorrected),
    negativeLatencies,
    latencyCount: measured,
    histogram: bucketsOf(corrected),
  };
}

/**
 * Exact nearest-rank percentiles of signed values. A histogram of positive values (HdrHistogram) would have to
 * clamp a negative latency to 0 and hide the very sign that the clocks disagree.
 */
function statsOf(values: Float64Array): LatencyStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = values.slice().sort();
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
  const us = (ms: number): number => Math.round(ms * 1000) / 1000;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    min: us(sorted[0] as number),
    avg: us(sum / sorted.length),
    p50: us(at(50)),
    p90: us(at(90)),
    p99: us(at(99)),
    'p99.9': us(at(99.9)),
    max: us(sorted[sorted.length - 1] as number),
  };
}

/**
 * The driver's chart buckets (ten per decade, load/driver/latency-recorder.ts), without an upper cap so a backlog of
 * minutes still has its own buckets; negative latencies, when there are any, get a bucket `le: 0`.
 */
function bucketsOf(values: Float64Array): { le: number; count: number }[] {
  if (values.length === 0) return [];
  const counts = new Map<number, number>();
  let negatives = 0;
  for (const v of values) {
    if (v <= 0) negatives++;
    else counts.set(bucketIndex(v), (counts.get(bucketIndex(v)) ?? 0) + 1);
  }
  const out: { le: number; count: number }[] = negatives > 0 ? [{ le: 0, count: negatives }] : [];
  if (counts.size === 0) return out;
  const indexes = [...counts.keys()];
  for (let i = Math.min(...indexes); i <= Math.max(...indexes); i++) out.push({ le: bucketUpperBoundMs(i), count: counts.get(i) ?? 0 });
  return out;
}

/** Says whether undelivered events were still queued (overload) or gone (loss): a reader must not take one for the other. */
function missingNote(r: SubscriberReconciliation): string {
  const parts: string[] = [];
  if (r.backlog > 0)
    parts.push(
      `BACKLOG: ${r.backlog} events still queued when the drain ended, the subscriber still receiving them or the broker still holding them (overload or a paused subscriber, not loss)`,
    );
  if (r.lost > 0)
    parts.push(`LOST: ${r.lost} events missing, the subscriber no longer receiving and the broker holding nothing more for it`);
  return parts.join(' · ');
}

/**
 * `pubsub.delivery_rate`, `.delivered`, `.lost`, `.backlog`, `.duplicates`, `.late`, `.negative_latency` (counters) and
 * `pubsub.e2e_latency` (from the intended publish time) and `pubsub.e2e_latency_uncorrected` (from the actual
 * send), all tagged with the subscriber.
 */
export function reconciliationMetrics(r: SubscriberReconciliation): MetricSample[] {
  const tags = { subscriber: r.subscriber };
  const out: MetricSample[] = [
    {
      name: 'pubsub.delivery_rate',
      kind: 'rate',
      tags,
      rate: r.acknowledged === 0 ? 0 : r.delivered / r.acknowledged,
      passes: r.delivered,
      fails: r.lost + r.backlog,
      ...(r.lost + r.backlog > 0 ? { note: missingNote(r) } : {}),
    },
    { name: 'pubsub.delivered', kind: 'counter', tags, count: r.delivered },
    { name: 'pubsub.lost', kind: 'counter', tags, count: r.lost },
    { name: 'pubsub.backlog', kind: 'counter', tags, count: r.backlog },
    { name: 'pubsub.duplicates', kind: 'counter', tags, count: r.duplicates },
    { name: 'pubsub.late', kind: 'counter', tags, count: r.late },
    { name: 'pubsub.negative_latency', kind: 'counter', tags, count: r.negativeLatencies },
  ];
  if (r.latencyMs)
    out.push({ name: 'pubsub.e2e_latency', kind: 'trend', tags, count: r.latencyCount, stats: { ...r.latencyMs }, unit: 'ms' });
  if (r.latencyUncorrectedMs)
    out.push({
      name: 'pubsub.e2e_latency_uncorrected',
      kind: 'trend',
      tags,
      count: r.latencyCount,
      stats: { ...r.latencyUncorrectedMs },
      unit: 'ms',
    });
  return out;
}
