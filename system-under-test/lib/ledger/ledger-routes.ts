import { Router } from 'express';
import { badRequest, sendError } from '../http-errors';
import { log } from '../json-log';
import type { DeliveryLedger, LedgerQuery } from './delivery-ledger';

/** GET /ledger, GET /ledger/events/:eventId, GET /ledger/clock, DELETE /ledger. */
export function ledgerRoutes(ledger: DeliveryLedger): Router {
  const router = Router();

  // Read before anything else is done for the request: the harness brackets this reading with its own clock
  // (NTP-style) to learn how far the receivedAt stamps are from its send stamps.
  router.get('/ledger/clock', (_req, res) => {
    res.json({ now: ledger.clock() });
  });

  router.get('/ledger', (req, res) => {
    const q: LedgerQuery = {};
    if (typeof req.query.topic === 'string' && req.query.topic !== '') q.topic = req.query.topic;
    if (typeof req.query.eventId === 'string' && req.query.eventId !== '') q.eventId = req.query.eventId;
    if (req.query.limit !== undefined) {
      const limit = Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 0) {
        badRequest(
          res,
          `limit must be a whole number ≥ 0 (got ${JSON.stringify(req.query.limit)})`,
          'e.g. /ledger?limit=100, or limit=0 for the counts only',
        );
        return;
      }
      q.limit = limit;
    }
    res.json(ledger.query(q));
  });

  router.get('/ledger/events/:eventId', (req, res) => {
    const detail = ledger.event(req.params.eventId);
    if (!detail) {
      sendError(
        res,
        404,
        `no delivery of event ${req.params.eventId} in this ledger`,
        'check the eventId, or wait for the delivery; DELETE /ledger clears it',
      );
      return;
    }
    res.json(detail);
  });

  router.delete('/ledger', (_req, res) => {
    const cleared = ledger.reset();
    log('info', 'ledger cleared', { cleared });
    res.json({ cleared });
  });

  return router;
}
