import type { Express } from 'express';
import type { FaultState } from '../../lib/faults/fault-state';
import type { DeliveryLedger } from '../../lib/ledger/delivery-ledger';
import { createSubscriberApp, eventRoute, type ProgrammaticSubscription } from '../../lib/subscriber/subscriber-app';
import { PUBSUB, TASK_CREATED_BULK, TASK_CREATED } from '../../lib/topics';

/** Subscribes PROGRAMMATICALLY to task.created only: an update must never reach it. */
export const ANALYTICS_SUBSCRIPTIONS: ProgrammaticSubscription[] = [
  { pubsubname: PUBSUB, topic: TASK_CREATED, routes: { default: eventRoute(TASK_CREATED) }, bulkSubscribe: TASK_CREATED_BULK },
];

export function createAnalyticsApp(parts: { ledger?: DeliveryLedger; faults?: FaultState } = {}): Express {
  return createSubscriberApp({ topics: ANALYTICS_SUBSCRIPTIONS.map((s) => s.topic), programmatic: ANALYTICS_SUBSCRIPTIONS, ...parts });
}
