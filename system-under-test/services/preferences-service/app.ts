import type { Express, Request, Response } from 'express';
import type { FaultState } from '../../lib/faults/fault-state';
import { isRecord } from '../../lib/field-checks';
import { badRequest, sendError } from '../../lib/http-errors';
import { appId, createService, instanceId } from '../../lib/service';
import {
  httpSidecarClient,
  SidecarError,
  type Consistency,
  type SaveStateItem,
  type SidecarClient,
  type StateOptions,
  type TransactionOperation,
} from '../../lib/sidecar/sidecar-client';
import { sendSidecarFailure } from '../../lib/sidecar/sidecar-failure';
import { traceHeaders } from '../../lib/sidecar/trace-context';
import { STATESTORE } from '../../lib/topics';

export interface PreferencesParts {
  sidecar?: SidecarClient;
  faults?: FaultState;
}

export const MAX_BULK_KEYS = 1000;
export const MAX_TRANSACTION_OPS = 100;

/**
 * User preferences in the state store, keyed by user id. It runs as several replicas that keep nothing in memory:
 * any replica answers for any user because they all reach the same store through their own sidecars (Dapr
 * prefixes keys with the app id, which the replicas share).
 */
export function createPreferencesApp(parts: PreferencesParts = {}): Express {
  const sidecar = parts.sidecar ?? httpSidecarClient();
  return createService({
    faults: parts.faults,
    routes: (app) => {
      app.get('/whoami', (_req, res) => {
        res.json({ app: appId() ?? null, instance: instanceId() });
      });

      app.post('/preferences/bulk', async (req, res) => {
        const ids = isRecord(req.body) ? req.body.userIds : undefined;
        if (
          !Array.isArray(ids) ||
          ids.length === 0 ||
          ids.length > MAX_BULK_KEYS ||
          !ids.every((id) => typeof id === 'string' && id !== '')
        ) {
          badRequest(res, `userIds must be a list of 1 to ${MAX_BULK_KEYS} non-empty strings`, 'send e.g. {"userIds":["u1","u2"]}');
          return;
        }
        try {
          const found = await sidecar.getBulkState(STATESTORE, ids as string[], { headers: traceHeaders(req) });
          const byKey = new Map(found.map((item) => [item.key, item]));
          const items = (ids as string[]).map((userId) => {
            const item = byKey.get(userId);
            return { userId, value: item?.data ?? null, etag: item?.etag ?? null };
          });
          res.json({ items });
        } catch (err) {
          sendStateFailure(res, err);
        }
      });

      app.post('/preferences/transaction', async (req, res) => {
        const ops = isRecord(req.body) ? req.body.operations : undefined;
        const example =
          'send e.g. {"operations":[{"operation":"upsert","userId":"u1","value":{"theme":"dark"}},{"operation":"delete","userId":"u2"}]}';
        if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_TRANSACTION_OPS || !ops.every(isRecord)) {
          badRequest(res, `operations must be a list of 1 to ${MAX_TRANSACTION_OPS} objects`, example);
          return;
        }
        const missing = (ops as Record<string, unknown>[]).findIndex((op) => typeof op.userId !== 'string' || op.userId === '');
        if (missing >= 0) {
          // Dapr would store an empty key under the bare app-id prefix rather than refuse it.
          badRequest(res, `operations[${missing}].userId must be a non-empty string`, example);
          return;
        }
        // Operation names go to Dapr unchecked: Dapr validates the whole transaction before applying any of it,
        // and that all-or-nothing refusal is what a caller is meant to observe.
        const operations: TransactionOperation[] = (ops as Record<string, unknown>[]).map((op) => ({
          operation: op.operation as string,
          request: {
            key: op.userId as string,
            ...(op.value !== undefined ? { value: op.value } : {}),
            ...(typeof op.etag === 'string' ? { etag: op.etag, options: { concurrency: 'first-write' } } : {}),
          },
        }));
        try {
          await sidecar.transactState(STATESTORE, operations, { headers: traceHeaders(req) });
          res.json({ committed: operations.length });
        } catch (err) {
          sendStateFailure(res, err);
        }
      });

      app.put('/preferences/:userId', async (req, res) => {
        if (req.body === undefined || Buffer.isBuffer(req.body)) {
          badRequest(res, 'the preferences must be a JSON body', 'send content-type: application/json, e.g. {"theme":"dark"}');
          return;
        }
        const query = stateQuery(req, res);
        if (!query) return;
        const etag = ifMatch(req);
        const options: StateOptions = {};
        if (etag !== undefined) options.concurrency = 'first-write';
        if (query.consistency) options.consistency = query.consistency;
        const item: SaveStateItem = { key: req.params.userId as string, value: req.body, options };
        if (etag !== undefined) item.etag = etag;
        if (query.ttlInSeconds !== undefined) item.metadata = { ttlInSeconds: String(query.ttlInSeconds) };
        const headers = traceHeaders(req);
        try {
          await sidecar.saveState(STATESTORE, [item], { headers });
          // Dapr's save answers no ETag; reading it back is the only way to hand one to the caller. A write by
          // someone else in between would give theirs, which a later if-match then correctly reports as stale.
          const saved = await sidecar.getState(STATESTORE, item.key, { headers, consistency: query.consistency });
          res.json({ etag: saved?.etag ?? null });
        } catch (err) {
          sendStateFailure(res, err);
        }
      });

      app.get('/preferences/:userId', async (req, res) => {
        const query = stateQuery(req, res);
        if (!query) return;
        try {
          const found = await sidecar.getState(STATESTORE, req.params.userId as string, {
            headers: traceHeaders(req),
            consistency: query.consistency,
          });
          if (!found) {
            sendError(res, 404, `no preferences for user ${req.params.userId}`, 'save them with PUT /preferences/:userId');
            return;
          }
          res.json({ value: found.value, etag: found.etag ?? null });
        } catch (err) {
          sendStateFailure(res, err);
        }
      });

      app.delete('/preferences/:userId', async (req, res) => {
        const query = stateQuery(req, res);
        if (!query) return;
        const etag = ifMatch(req);
        try {
          await sidecar.deleteState(STATESTORE, req.params.userId as string, {
            headers: traceHeaders(req),
            etag,
            concurrency: etag !== undefined ? 'first-write' : undefined,
            consistency: query.consistency,
          });
          res.status(204).end();
        } catch (err) {
          sendStateFailure(res, err);
        }
      });
    },
  });
}

interface StateQuery {
  consistency?: Consistency;
  ttlInSeconds?: number;
}

function stateQuery(req: Request, res: Response): StateQuery | undefined {
  const out: StateQuery = {};
  const { consistency, ttlInSeconds } = req.query;
  if (consistency !== undefined) {
    if (consistency !== 'strong' && consistency !== 'eventual') {
      badRequest(res, `consistency must be strong or eventual (got ${JSON.stringify(consistency)})`, 'e.g. ?consistency=strong');
      return undefined;
    }
    out.consistency = consistency;
  }
  if (ttlInSeconds !== undefined) {
    const n = Number(ttlInSeconds);
    if (!Number.isInteger(n) || (n < 1 && n !== -1)) {
      badRequest(
        res,
        `ttlInSeconds must be a whole number ≥ 1, or -1 for no expiry (got ${JSON.stringify(ttlInSeconds)})`,
        'e.g. ?ttlInSeconds=60',
      );
      return undefined;
    }
    out.ttlInSeconds = n;
  }
  return out;
}

/** The ETag of an if-match header, without the quotes or weak marker HTTP allows around it. */
export function ifMatch(req: Request): string | undefined {
  const v = req.get('if-match');
  if (v === undefined || v.trim() === '') return undefined;
  return v
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/**
 * A stale ETag is the caller's conflict (409); another refusal Dapr blames on the request (4xx, e.g. a malformed
 * ETag or an unknown transaction operation) keeps its status; anything else is an upstream failure (502).
 * Dapr's error body goes along in every case but the conflict.
 */
function sendStateFailure(res: Response, err: unknown): void {
  if (err instanceof SidecarError && err.status === 409) {
    res.status(409).json({ error: 'conflict', hint: 'the ETag is stale: GET the preferences again for the current ETag, then retry' });
    return;
  }
  if (err instanceof SidecarError && err.status >= 400 && err.status < 500) {
    res.status(err.status).json(err.body);
    return;
  }
  sendSidecarFailure(res, err);
}
