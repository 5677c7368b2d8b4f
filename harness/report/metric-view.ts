import { formatNumber, formatPercent, formatWithUnit } from '../gate/measured-format';
import { seriesLabel } from '../gate/metric-series';
import type { MetricSample, RunResults } from '../results/results-model';

export interface MetricRowView {
  name: string;
  series: string;
  kind: string;
  summary: string;
}

export interface SubscriberView {
  subscriber: string;
  delivered: string;
  lost: string;
  /** Still queued behind the subscriber when the drain ended (overload, not loss). */
  backlog: string;
  duplicates: string;
  late: string;
  rate: string;
  /** From each publish's intended send time (what the criterion reads). */
  p99: string;
  /** From the actual send: the difference to p99 is time the publisher spent behind its schedule. */
  p99Uncorrected: string;
  /** Subscriber clock minus harness clock, ± its uncertainty. */
  clockOffset: string;
  negativeLatencies: string;
  /** Anything lost or duplicated, or a rate below 1. */
  trouble: boolean;
}

const PERCENTILE_ORDER = (k: string): number =>
  k === 'min' ? -1 : k === 'med' ? 50 : k === 'avg' ? 50.5 : k === 'max' ? 1000 : Number(k.slice(1)) || 999;

/** One line that says what a sample measured: "99.95 % (19990 ok, 10 failed)", "p50 12 · p99 80 · max 140 ms". */
export function metricSummary(m: MetricSample): string {
  switch (m.kind) {
    case 'rate': {
      const rate =
        m.rate ?? (m.passes !== undefined && m.fails !== undefined && m.passes + m.fails > 0 ? m.passes / (m.passes + m.fails) : undefined);
      const counts = m.passes !== undefined ? ` (${m.passes} ok, ${m.fails ?? 0} failed)` : '';
      return rate === undefined ? `no rate${counts}` : `${formatPercent(rate, 3)}${counts}`;
    }
    case 'trend': {
      const stats = Object.entries(m.stats ?? {}).filter(([k]) => k !== 'count');
      stats.sort(([a], [b]) => PERCENTILE_ORDER(a) - PERCENTILE_ORDER(b));
      const count = m.stats?.count ?? m.count;
      return `${stats.map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ')}${m.unit ? ` ${m.unit}` : ''}${count !== undefined ? ` (n=${count})` : ''}`;
    }
    case 'counter':
      return formatWithUnit(m.count ?? 0, m.unit);
    case 'gauge':
      return m.value === undefined ? 'no value' : formatWithUnit(m.value, m.unit);
  }
}

export function metricRows(metrics: MetricSample[]): MetricRowView[] {
  return [...metrics]
    .sort((a, b) => a.name.localeCompare(b.name) || seriesLabel(a.tags).localeCompare(seriesLabel(b.tags)))
    .map((m) => ({ name: m.name, series: seriesLabel(m.tags) || '-', kind: m.kind, summary: metricSummary(m) }));
}

/**
 * Delivery per subscriber from pubsub.delivered / lost / duplicates / late counters and pubsub.delivery_rate,
 * joined on the `subscriber` tag (or the whole tag set when a series has none).
 */
export function subscriberRows(results: RunResults): SubscriberView[] {
  const wanted = [
    'pubsub.delivered',
    'pubsub.lost',
    'pubsub.backlog',
    'pubsub.duplicates',
    'pubsub.late',
    'pubsub.delivery_rate',
    'pubsub.e2e_latency',
    'pubsub.e2e_latency_uncorrected',
    'pubsub.clock_offset',
    'pubsub.clock_offset_uncertainty',
    'pubsub.negative_latency',
  ];
  const bySubscriber = new Map<string, Map<string, MetricSample>>();
  for (const m of results.metrics.filter((s) => wanted.includes(s.name))) {
    const who = m.tags.subscriber ?? (seriesLabel(m.tags) || '(all)');
    const entry = bySubscriber.get(who) ?? new Map<string, MetricSample>();
    entry.set(m.name, m);
    bySubscriber.set(who, entry);
  }
  return [...bySubscriber.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([subscriber, m]) => {
      const count = (name: string): number | undefined => m.get(name)?.count;
      const text = (v: number | undefined): string => (v === undefined ? '-' : formatNumber(v));
      const rateSample = m.get('pubsub.delivery_rate');
      const rate = rateSample?.rate;
      const p99 = m.get('pubsub.e2e_latency')?.stats?.p99;
      return {
        subscriber,
        delivered: text(count('pubsub.delivered')),
        lost: text(count('pubsub.lost')),
        backlog: text(count('pubsub.backlog')),
        duplicates: text(count('pubsub.duplicates')),
        late: text(count('pubsub.late')),
        rate: rate === undefined ? '-' : formatPercent(rate, 3),
        p99: p99 === undefined ? '-' : formatWithUnit(p99, m.get('pubsub.e2e_latency')?.unit ?? 'ms'),
        p99Uncorrected: p99Of(m.get('pubsub.e2e_latency_uncorrected')),
        clockOffset: offsetText(m.get('pubsub.clock_offset')?.value, m.get('pubsub.clock_offset_uncertainty')?.value),
        negativeLatencies: text(count('pubsub.negative_latency')),
        trouble: (count('pubsub.lost') ?? 0) > 0 || (count('pubsub.duplicates') ?? 0) > 0 || (rate !== undefined && rate < 1),
      };
    });
}

function p99Of(sample: MetricSample | undefined): string {
  const p99 = sample?.stats?.p99;
  return p99 === undefined ? '-' : formatWithUnit(p99, sample?.unit ?? 'ms');
}

function offsetText(offset: number | undefined, uncertainty: number | undefined): string {
  if (offset === undefined) return '-';
  return `${formatNumber(offset)}${uncertainty === undefined ? '' : ` ± ${formatNumber(uncertainty)}`} ms`;
}
