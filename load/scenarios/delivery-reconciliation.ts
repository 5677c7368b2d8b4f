import * as hdr from 'hdr-histogram-js';
import type { MetricSample } from '../../harness/results/results-model';

/** What the publisher knows: events the broker acknowledged, with the time they were published. */
export type PublisherRecord = Map<string, number>;

export interface DeliveredEntry {
  eventId: string;
  receivedAt: number;
  duplicate: boolean;
}

export interface SubscriberReconciliation {
  subscriber: string;
  acknowledged: number;
  /** Acknowledged events the subscriber processed at least once. */
  delivered: number;
  lost: number;
  duplicates: number;
  /** Delivered, but later than `lateAfterMs` after publishing. */
  late: number;
  /** Entries for events the publisher has no acknowledgement of (refused publishes that still arrived). */
  unacknowledged: number;
  latencyMs: { min: number; avg: number; p50: number; p90: number; p99: number; 'p99.9': number; max: number } | undefined;
  histogram: { le: number; count: number }[];
}

/**
 * Reconciles the publisher-side record with one subscriber's ledger: delivery rate is unique delivered over
 * acknowledged published — never "published" taken as "delivered".
 */
export function reconcile(subscriber: string, published: PublisherRecord, entries: DeliveredEntry[], lateAfterMs: number): SubscriberReconciliation {
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
  const histogram = hdr.build({ useWebAssembly: false, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let late = 0;
  const latencies: number[] = [];
  for (const [eventId, receivedAt] of firstSeen) {
    const ms = Math.max(0, receivedAt - (published.get(eventId) as number));
    if (ms > lateAfterMs) late++;
    latencies.push(ms);
    histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }
  const us = (v: number): number => Math.round(v) / 1000;
  const latencyMs = latencies.length
    ? {
        min: us(histogram.minNonZeroValue),
        avg: Math.round(histogram.mean) / 1000,
        p50: us(histogram.getValueAtPercentile(50)),
        p90: us(histogram.getValueAtPercentile(90)),
        p99: us(histogram.getValueAtPercentile(99)),
        'p99.9': us(histogram.getValueAtPercentile(99.9)),
        max: us(histogram.maxValue),
      }
    : undefined;
  return {
    subscriber,
    acknowledged: published.size,
    delivered: firstSeen.size,
    lost: published.size - firstSeen.size,
    duplicates,
    late,
    unacknowledged,
    latencyMs,
    histogram: bucketsOf(latencies),
  };
}

/** Log-spaced buckets (ms) for the report's histogram. */
function bucketsOf(values: number[]): { le: number; count: number }[] {
  if (values.length === 0) return [];
  const bounds: number[] = [];
  for (let decade = 0.1; decade <= 100_000; decade *= 10) for (const m of [1, 2, 5]) bounds.push(Math.round(decade * m * 100) / 100);
  const counts = new Map(bounds.map((b) => [b, 0]));
  for (const v of values) {
    const b = bounds.find((x) => v <= x) ?? (bounds[bounds.length - 1] as number);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return bounds.map((le) => ({ le, count: counts.get(le) ?? 0 })).filter((_, i, all) => all.slice(i).some((x) => x.count > 0) || i === 0);
}

export function reconciliationMetrics(r: SubscriberReconciliation): MetricSample[] {
  const tags = { subscriber: r.subscriber };
  const out: MetricSample[] = [
    { name: 'pubsub.delivery_rate', kind: 'rate', tags, rate: r.acknowledged === 0 ? 0 : r.delivered / r.acknowledged, passes: r.delivered, fails: r.lost },
    { name: 'pubsub.delivered', kind: 'counter', tags, count: r.delivered },
    { name: 'pubsub.lost', kind: 'counter', tags, count: r.lost },
    { name: 'pubsub.duplicates', kind: 'counter', tags, count: r.duplicates },
    { name: 'pubsub.late', kind: 'counter', tags, count: r.late },
  ];
  if (r.latencyMs) out.push({ name: 'pubsub.e2e_latency', kind: 'trend', tags, stats: r.latencyMs, unit: 'ms' });
  return out;
}
