import type { Express } from 'express';
import type { FaultState } from '../../lib/faults/fault-state';
import type { DeliveryLedger } from '../../lib/ledger/delivery-ledger';
import { createSubscriberApp } from '../../lib/subscriber/subscriber-app';
import { TASK_CREATED, TASK_UPDATED } from '../../lib/topics';

export const NOTIFICATION_TOPICS = [TASK_CREATED, TASK_UPDATED];

/**
 * Subscribes DECLARATIVELY: its subscriptions are the Subscription resources in
 * dapr-components/subscription-notification.yaml (scoped to this app id), so /dapr/subscribe lists none.
 */
export function createNotificationApp(parts: { ledger?: DeliveryLedger; faults?: FaultState } = {}): Express {
  return createSubscriberApp({ topics: NOTIFICATION_TOPICS, programmatic: [], ...parts });
}
