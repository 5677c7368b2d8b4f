import type { MetricSample } from '../../harness/results/results-model';
import type { RequestTiming } from '../driver';
import type { PublishedEvent, PublisherRecord } from './delivery-reconciliation';

/**
 * The publisher's side of a pub/sub load run: every publish the schedule asked for, stamped with its intended and
 * actual send time, and which of them the broker acknowledged. Delivery is reconciled against the acknowledged
 * ones only, so the share acknowledged is reported beside it (`publish_success_rate`): a broker that refuses
 * half the publishes must not look like one that delivers everything.
 */
export class PublishLog {
  /** Events the sidecar answered 2xx for, warm-up included (the subscribers receive those too). */
  readonly acknowledged: PublisherRecord = new Map();
  private readonly inFlight = new Map<number, PublishedEvent>();
  private built = 0;

  constructor(private readonly prefix: string) {}

  eventId(index: number): string {
    return `${this.prefix}-${index}`;
  }

  /** Called as the driver builds publish `index`; returns the fields the event carries. */
  stamp(index: number, timing: RequestTiming): { eventId: string; publishedAt: number } {
    this.built++;
    this.inFlight.set(index, { intendedAt: timing.intendedAt, sentAt: timing.dispatchedAt });
    return { eventId: this.eventId(index), publishedAt: timing.dispatchedAt };
  }

  /**
   * Called with the driver's outcome of publish `index`; `status` is undefined for a transport failure. A warm-up
   * publish (`measured` false) counts for delivery but not in the latency figures, as in the driver's own.
   */
  settle(index: number, status: number | undefined, measured = true): void {
    const event = this.inFlight.get(index);
    this.inFlight.delete(index);
    if (event && status !== undefined && status >= 200 && status < 300)
      this.acknowledged.set(this.eventId(index), measured ? event : { ...event, warmup: true });
  }

  /**
   * Acknowledged over attempted. Attempted is every arrival of the schedule, warm-up included like the delivery
   * figures: built and sent, or dropped by the driver because too many were waiting (`droppedArrivals`). A publish
   * refused, failed, timed out or never answered counts against it.
   */
  successRate(droppedArrivals: number): { rate: number; passes: number; fails: number; attempted: number } {
    const attempted = this.built + droppedArrivals;
    const passes = this.acknowledged.size;
    return { rate: attempted === 0 ? 0 : passes / attempted, passes, fails: attempted - passes, attempted };
  }

  successMetric(droppedArrivals: number): MetricSample {
    const { rate, passes, fails } = this.successRate(droppedArrivals);
    return { name: 'pubsub.publish_success_rate', kind: 'rate', tags: {}, rate, passes, fails };
  }
}
