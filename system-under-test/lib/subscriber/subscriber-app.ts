import type { Express } from 'express';
import { FaultState } from '../faults/fault-state';
import { sendError } from '../http-errors';
import { log } from '../json-log';
import { DeliveryLedger } from '../ledger/delivery-ledger';
import { ledgerRoutes } from '../ledger/ledger-routes';
import { parseDelivery } from '../ledger/delivery';
import { createService } from '../service';

/** One entry of a programmatic subscription list, as Dapr reads it from GET /dapr/subscribe. */
export interface ProgrammaticSubscription {
  pubsubname: string;
  topic: string;
  routes: { default: string };
  deadLetterTopic?: string;
  metadata?: Record<string, string>;
}

export interface SubscriberOptions {
  /** Topics this service accepts deliveries for, each at eventRoute(topic). */
  topics: string[];
  /** What GET /dapr/subscribe answers: [] for a service whose subscriptions are declarative resources. */
  programmatic: ProgrammaticSubscription[];
  ledger?: DeliveryLedger;
  faults?: FaultState;
}

export function eventRoute(topic: string): string {
  return `/events/${topic}`;
}

/**
 * A subscriber service: records every delivery in its ledger and answers SUCCESS, unless a pub/sub fault says to
 * answer RETRY or DROP instead.
 */
export function createSubscriberApp(opts: SubscriberOptions): Express {
  const ledger = opts.ledger ?? new DeliveryLedger();
  const faults = opts.faults ?? new FaultState();
  const topics = new Set(opts.topics);
  return createService({
    faults,
    routes: (app) => {
      app.get('/dapr/subscribe', (_req, res) => {
        res.json(opts.programmatic);
      });
      app.use(ledgerRoutes(ledger));
      app.post('/events/:topic', (req, res) => {
        const topic = req.params.topic;
        if (!topics.has(topic)) {
          // 404 tells Dapr the delivery cannot succeed here, so it does not retry it.
          sendError(res, 404, `this service does not subscribe to ${topic}`, `subscribed topics: ${[...topics].join(', ')}`);
          return;
        }
        const parsed = parseDelivery(req.body);
        if (!parsed.ok) {
          log('warn', 'delivery dropped: cannot identify the event', { topic, problem: parsed.problem });
          res.json({ status: 'DROP' });
          return;
        }
        const { delivery } = parsed;
        const verdict = faults.pubsubVerdict(topic);
        if (verdict) {
          const attempt = ledger.refuse(delivery, topic);
          log('info', 'injected pubsub fault', { topic, eventId: delivery.eventId, status: verdict, attempt });
          res.json({ status: verdict });
          return;
        }
        const entry = ledger.accept(delivery, topic);
        log(entry.duplicate ? 'info' : 'debug', entry.duplicate ? 'duplicate delivery' : 'delivery', {
          topic,
          eventId: entry.eventId,
          attempt: entry.attempt,
        });
        res.json({ status: 'SUCCESS' });
      });
    },
  });
}
