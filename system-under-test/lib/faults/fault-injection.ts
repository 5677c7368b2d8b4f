import type { Request, RequestHandler } from 'express';
import { log } from '../json-log';
import type { FaultState } from './fault-state';

export const FAULT_KEY_HEADER = 'x-fault-key';

/** Status recorded for a call whose caller went away before it was answered (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * Routes that must keep working while a service is being broken: the controls themselves, health (so the
 * deployment is not torn down), Dapr's own callbacks, and the delivery ledger that tests read.
 */
export function isExemptPath(path: string): boolean {
  return /^\/(faults|healthz|dapr|ledger)(\/|$)/.test(path);
}

export interface FaultInjectionOptions {
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies the configured call and delay faults before a request reaches its handler, and logs every call that
 * carries a fault key, faulted or not, with its final status and attempt number.
 */
export function faultInjection(state: FaultState, options: FaultInjectionOptions = {}): RequestHandler {
  const sleep = options.sleep ?? realSleep;
  return async (req, res, next) => {
    if (isExemptPath(req.path)) {
      next();
      return;
    }
    const key = faultKeyOf(req);
    if (key !== undefined) {
      const attempt = state.nextAttempt(key);
      const { method, path } = req;
      res.once('close', () => {
        state.recordCall({
          time: new Date().toISOString(),
          key,
          method,
          path,
          status: res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS,
          attempt,
        });
      });
    }
    const plan = state.planCall(key);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (plan.failWith !== undefined) {
      log('info', 'injected call fault', { key, method: req.method, path: req.path, status: plan.failWith });
      res.status(plan.failWith).json({ error: 'injected fault', status: plan.failWith, key: key ?? null });
      return;
    }
    next();
  };
}

function faultKeyOf(req: Request): string | undefined {
  const v = req.get(FAULT_KEY_HEADER);
  return v === undefined || v === '' ? undefined : v;
}
