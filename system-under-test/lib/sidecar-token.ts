import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendError } from './http-errors';

/** The harness's own controls, which carry their own guard (loopback or the control token). */
const HARNESS_ROUTES = /^\/ledger(\/|$)/;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * With APP_API_TOKEN set, the app answers only callers that present it in `dapr-api-token` — its own sidecar,
 * which daprd sends it from the same variable — so nothing on the network can bypass Dapr's access control.
 */
export function sidecarOnly(token = process.env.APP_API_TOKEN): RequestHandler {
  return (req, res, next) => {
    if (!token || HARNESS_ROUTES.test(req.path)) {
      next();
      return;
    }
    const presented = req.get('dapr-api-token');
    if (presented && same(presented, token)) {
      next();
      return;
    }
    sendError(
      res,
      401,
      'this app answers only its own Dapr sidecar',
      'call it through Dapr (service invocation), which presents the app API token',
    );
  };
}
