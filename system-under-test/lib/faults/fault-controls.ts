import { Router, type Request, type Response } from 'express';
import {
  collect,
  integerIn,
  isRecord,
  optionalIntegerIn,
  optionalNumberIn,
  optionalString,
  type Check,
  type Values,
} from '../field-checks';
import { badRequest } from '../http-errors';
import { log } from '../json-log';
import { requireControlAccess } from './control-access';
import type { CallRecord, FaultState, PubsubMode } from './fault-state';

export const MAX_FAULT_COUNT = 1_000_000;
export const MAX_DELAY_MS = 120_000;
/** How long a crash waits after answering, so that the 202 reaches the caller. */
export const CRASH_AFTER_MS = 100;
/**
 * The exit code of a crash asked for on /faults/crash: distinct from a real failure's, so a supervisor (the
 * harness's local target) tells an injected crash from a process that died on its own.
 */
export const CRASH_EXIT_CODE = 86;

export interface FaultControlOptions {
  /** How the process ends on /faults/crash; a test passes a recorder instead. */
  exit?: (code: number) => void;
  requiredToken?: () => string | undefined;
}

/** The /faults control API that every reference service mounts. */
export function faultControls(state: FaultState, options: FaultControlOptions = {}): Router {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const router = Router();
  router.use('/faults', requireControlAccess(options.requiredToken));

  router.post('/faults/calls', (req, res) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const v = valuesOr400(res, '{"key":"k1","count":3,"status":503,"delayMs":100}', {
      key: optionalString(body, 'key'),
      count: integerIn(body, 'count', 1, MAX_FAULT_COUNT),
      status: integerIn(body, 'status', 200, 599, 500),
      delayMs: optionalIntegerIn(body, 'delayMs', 0, MAX_DELAY_MS),
    });
    if (!v) return;
    const fault = state.addCallFault(v);
    log('info', 'call fault set', { fault });
    res.json({ fault: printable(fault) });
  });

  router.post('/faults/delay', (req, res) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const v = valuesOr400(res, '{"key":"k1","delayMs":250,"count":10}', {
      key: optionalString(body, 'key'),
      delayMs: integerIn(body, 'delayMs', 1, MAX_DELAY_MS),
      count: optionalIntegerIn(body, 'count', 1, MAX_FAULT_COUNT),
    });
    if (!v) return;
    const fault = state.addDelayFault(v);
    log('info', 'delay fault set', { fault: printable(fault) });
    res.json({ fault: printable(fault) });
  });

  router.post('/faults/pubsub', (req, res) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const example = '{"topic":"task.created","mode":"RETRY","count":2} or {"mode":"DROP","fraction":0.1}';
    const v = valuesOr400(res, example, {
      topic: optionalString(body, 'topic'),
      count: optionalIntegerIn(body, 'count', 1, MAX_FAULT_COUNT),
      fraction: optionalNumberIn(body, 'fraction', 0, 1),
    });
    if (!v) return;
    if (body.mode !== 'RETRY' && body.mode !== 'DROP') {
      badRequest(res, `mode must be "RETRY" or "DROP" (got ${JSON.stringify(body.mode)})`, `send e.g. ${example}`);
      return;
    }
    if (v.count === undefined && v.fraction === undefined) {
      badRequest(res, 'a pub/sub fault needs count or fraction', `send e.g. ${example}`);
      return;
    }
    const fault = state.addPubsubFault({ ...v, mode: body.mode as PubsubMode });
    log('info', 'pubsub fault set', { fault: printable(fault) });
    res.json({ fault: printable(fault) });
  });

  router.post('/faults/crash', (_req, res) => {
    log('warn', `crash requested; exiting with code ${CRASH_EXIT_CODE}`);
    res.status(202).json({ crashing: true, exitCode: CRASH_EXIT_CODE });
    setTimeout(() => exit(CRASH_EXIT_CODE), CRASH_AFTER_MS);
  });

  router.get('/faults/calllog', (req, res) => {
    const key = typeof req.query.key === 'string' && req.query.key !== '' ? req.query.key : undefined;
    const calls: CallRecord[] = state.callLog(key);
    res.json({ key: key ?? null, count: calls.length, calls });
  });

  router.get('/faults', (_req, res) => {
    const active = state.active();
    res.json({ calls: active.calls.map(printable), delays: active.delays.map(printable), pubsub: active.pubsub.map(printable) });
  });

  router.delete('/faults', (_req, res) => {
    const cleared = state.reset();
    log('info', 'faults cleared', cleared);
    res.json({ cleared });
  });

  return router;
}

function bodyOf(req: Request, res: Response): Record<string, unknown> | undefined {
  if (isRecord(req.body)) return req.body;
  badRequest(res, 'expected a JSON object body', 'send e.g. {"count":1} with content-type: application/json');
  return undefined;
}

function valuesOr400<T extends Record<string, Check<unknown>>>(res: Response, example: string, checks: T): Values<T> | undefined {
  const result = collect(checks);
  if (result.ok) return result.values;
  badRequest(res, result.problem, `send e.g. ${example}`);
  return undefined;
}

/** JSON has no Infinity: an unbounded count is shown as null. */
function printable<T extends { remaining: number }>(fault: T): Omit<T, 'remaining'> & { remaining: number | null } {
  return { ...fault, remaining: Number.isFinite(fault.remaining) ? fault.remaining : null };
}
