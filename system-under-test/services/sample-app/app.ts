import type { Express, Request } from 'express';
import type { FaultState } from '../../lib/faults/fault-state';
import { badRequest } from '../../lib/http-errors';
import { appId, createService, instanceId, rawBodyOf } from '../../lib/service';
import { httpSidecarClient, SidecarError, type SidecarClient } from '../../lib/sidecar/sidecar-client';
import { log } from '../../lib/json-log';

export interface SampleAppParts {
  sidecar?: SidecarClient;
  faults?: FaultState;
}

/** A chain of /call hops can be long, but each hop is bounded so a stuck callee cannot hold a caller forever. */
export const INVOKE_TIMEOUT_MS = 60_000;

/**
 * The invocation target and relay of the reference deployment: fixed answers (/hello, /status), a mirror (/echo),
 * and /call, which reaches any app id through this app's own sidecar, so every invocation feature
 * (mTLS, resiliency, access control, tracing) applies to what a test sends.
 */
export function createSampleApp(parts: SampleAppParts = {}): Express {
  const sidecar = parts.sidecar ?? httpSidecarClient();
  return createService({
    faults: parts.faults,
    routes: (app) => {
      app.get('/hello', (_req, res) => {
        res.json({ message: 'hello', app: appId() ?? null, instance: instanceId() });
      });

      app.all('/echo{/*rest}', (req, res) => {
        res.json({ method: req.method, path: req.path, query: req.query, headers: echoHeaders(req), body: echoBody(req) });
      });

      app.get('/status/:code', (req, res) => {
        const code = Number(req.params.code);
        if (!Number.isInteger(code) || code < 200 || code > 599) {
          badRequest(res, `status code must be a whole number from 200 to 599 (got ${req.params.code})`, 'e.g. GET /status/503');
          return;
        }
        res.status(code).json({ status: code });
      });

      app.all('/call/:appId/*rest', async (req, res) => {
        const target = req.params.appId as string;
        let response: Response;
        try {
          response = await sidecar.invoke(target, methodPathAndQuery(req), {
            method: req.method,
            headers: forwardedHeaders(req),
            body: rawBodyOf(req),
            timeoutMs: INVOKE_TIMEOUT_MS,
          });
        } catch (err) {
          if (!(err instanceof SidecarError)) throw err;
          log('warn', 'invocation did not reach the sidecar', { target, error: err.message });
          res.status(502).set('x-invoked-via', 'dapr').json(err.body);
          return;
        }
        const body = Buffer.from(await response.arrayBuffer());
        res.status(response.status).set('x-invoked-via', 'dapr');
        const type = response.headers.get('content-type');
        if (type) res.set('content-type', type);
        res.end(body);
      });
    },
  });
}

/** What follows /call/<appId>/ in the URL, exactly as the caller sent it (still percent-encoded, query included). */
export function methodPathAndQuery(req: Request): string {
  const url = req.originalUrl;
  const appSegment = req.path.split('/')[2] ?? '';
  return url.slice(`/call/${appSegment}/`.length);
}

/** The caller's content type, trace context and every x-* header (x-fault-key among them) go to the callee. */
export function forwardedHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'content-type' || name === 'traceparent' || name === 'tracestate' || name.startsWith('x-')) {
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return out;
}

/** Every header but the app API token: a mirror must not hand the secret its sidecar sent it back to any caller. */
function echoHeaders(req: Request): Request['headers'] {
  const { 'dapr-api-token': _token, ...rest } = req.headers;
  return rest;
}

function echoBody(req: Request): unknown {
  if (Buffer.isBuffer(req.body)) return req.body.length > 0 ? req.body.toString('utf8') : null;
  return req.body ?? null;
}
