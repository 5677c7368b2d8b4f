import type { Express } from 'express';
import { FaultState } from '../faults/fault-state';
import { sendError } from '../http-errors';
import { log } from '../json-log';
import { DeliveryLedger } from '../ledger/delivery-ledger';
import { ledgerRoutes } from '../ledger/ledger-routes';
import { parseDelivery } from '../ledger/delivery';
import { bulkEntries } from './bulk-delivery';
import { createService } from '../service';

/** One entry of a programmatic subscription list, as Dapr reads it from GET /dapr/subscribe. */
export interface ProgrammaticSubscription {
  pubsubname: string;
  topic: string;
  routes: { default: string };
  deadLetterTopic?: string;
  metadata?: Record<string, string>;
  /** Dapr batches deliveries into one request of up to maxMessagesCount entries (answered per entry). */
  bulkSubscribe?: { enabled: boolean; maxMessagesCount?: number; maxAwaitDurationMs?: number };
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
 * answer RETRY or DROP instead. A bulk delivery (`bulkSubscribe`) is answered entry by entry.
 */
export function createSubscriberApp(opts: SubscriberOptions): Express {
  const ledger = opts.ledger ?? new DeliveryLedger();
  const faults = opts.faults ?? new FaultState();
  const topics = new Set(opts.topics);
  /** Records one delivery in the ledger and says how to answer it: SUCCESS, or the injected RETRY/DROP. */
  const handle = (topic: string, body: unknown): 'SUCCESS' | 'RETRY' | 'DROP' => {
    const parsed = parseDelivery(body);
    if (!parsed.ok) {
      log('warn', 'delivery dropped: cannot identify the event', { topic, problem: parsed.problem });
      return 'DROP';
    }
    const { delivery } = parsed;
    const verdict = faults.pubsubVerdict(topic);
    if (verdict) {
      const attempt = ledger.refuse(delivery, topic);
      log('info', 'injected pubsub fault', { topic, eventId: delivery.eventId, status: verdict, attempt });
      return verdict;
    }
    const entry = ledger.accept(delivery, topic);
    log(entry.duplicate ? 'info' : 'debug', entry.duplicate ? 'duplicate delivery' : 'delivery', {
      topic,
      eventId: entry.eventId,
      attempt: entry.attempt,
    });
    return 'SUCCESS';
  };
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
        const bulk = bulkEntries(req.body);
        if (bulk) {
          // A bulk delivery: each entry is handled as its own delivery would be, and answered by its entryId.
          res.json({ statuses: bulk.map((e) => ({ entryId: e.entryId, status: handle(topic, e.event) })) });
          return;
        }
        res.json({ status: handle(topic, req.body) });
      });
    },
  });
}
