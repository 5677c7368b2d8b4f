import type { Express } from 'express';
import type { FaultState } from '../../lib/faults/fault-state';
import type { DeliveryLedger } from '../../lib/ledger/delivery-ledger';
import { createSubscriberApp, eventRoute, type ProgrammaticSubscription } from '../../lib/subscriber/subscriber-app';
import { PUBSUB, TASK_CREATED_BULK, RAW_TOPIC, TASK_CREATED, TASK_DEADLETTER, TASK_UPDATED } from '../../lib/topics';

/**
 * Subscribes PROGRAMMATICALLY (Dapr reads this list from GET /dapr/subscribe at sidecar start). What it cannot
 * process on task.created goes to task.deadletter, which it also reads, so a lost event stays visible.
 */
export const AUDIT_SUBSCRIPTIONS: ProgrammaticSubscription[] = [
  {
    pubsubname: PUBSUB,
    topic: TASK_CREATED,
    routes: { default: eventRoute(TASK_CREATED) },
    bulkSubscribe: TASK_CREATED_BULK,
    deadLetterTopic: TASK_DEADLETTER,
  },
  { pubsubname: PUBSUB, topic: TASK_UPDATED, routes: { default: eventRoute(TASK_UPDATED) } },
  { pubsubname: PUBSUB, topic: TASK_DEADLETTER, routes: { default: eventRoute(TASK_DEADLETTER) } },
  { pubsubname: PUBSUB, topic: RAW_TOPIC, routes: { default: eventRoute(RAW_TOPIC) }, metadata: { rawPayload: 'true' } },
];

export function createAuditApp(parts: { ledger?: DeliveryLedger; faults?: FaultState } = {}): Express {
  return createSubscriberApp({ topics: AUDIT_SUBSCRIPTIONS.map((s) => s.topic), programmatic: AUDIT_SUBSCRIPTIONS, ...parts });
}
