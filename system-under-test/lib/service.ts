import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { Server } from 'node:http';
import { faultControls, type FaultControlOptions } from './faults/fault-controls';
import { faultInjection, type FaultInjectionOptions } from './faults/fault-injection';
import { FaultState } from './faults/fault-state';
import { sendError } from './http-errors';
import { sidecarOnly } from './sidecar-token';
import { errorMessage, log } from './json-log';

export { log } from './json-log';

const BODY_LIMIT = '4mb';
/** CloudEvents arrive as application/cloudevents+json; Dapr's own APIs answer application/json. */
const JSON_TYPES = ['application/json', 'application/cloudevents+json', 'application/*+json'];

export interface ServiceOptions {
  /** The service's own routes; mounted after the fault controls and the fault injection middleware. */
  routes: (app: Express) => void;
  /** Shared with handlers that apply pub/sub faults; a fresh one when omitted. */
  faults?: FaultState;
  faultControl?: FaultControlOptions;
  faultInjection?: FaultInjectionOptions;
}

/**
 * An express app with what every reference service has, in this order: JSON and raw bodies, /healthz, the
 * /faults controls, the sidecar-only guard (APP_API_TOKEN), fault injection, the service's routes, then JSON answers for unknown routes and errors.
 */
export function createService(options: ServiceOptions): Express {
  const faults = options.faults ?? new FaultState();
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag that no caller here revalidates: CPU on every delivery, for nothing.
  app.set('etag', false);
  app.use(express.json({ type: JSON_TYPES, limit: BODY_LIMIT, strict: false, verify: keepRawBody }));
  // Anything else is kept as bytes, so /call can forward it unchanged and /echo can show it.
  app.use(express.raw({ type: () => true, limit: BODY_LIMIT }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', app: appId(), instance: instanceId() });
  });
  app.use(faultControls(faults, options.faultControl));
  app.use(sidecarOnly());
  app.use(faultInjection(faults, options.faultInjection));
  options.routes(app);
  app.use((req, res) => {
    sendError(
      res,
      404,
      `no route for ${req.method} ${req.path}`,
      `see system-under-test/API.md for the routes of ${appId() ?? 'this service'}`,
    );
  });
  app.use(errorHandler);
  return app;
}

const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const e = err as { type?: string; status?: number };
  if (e.type === 'entity.parse.failed') {
    sendError(
      res,
      400,
      `request body is not valid JSON (${errorMessage(err)})`,
      'send a JSON document with content-type: application/json',
    );
    return;
  }
  if (e.type === 'entity.too.large') {
    sendError(res, 413, `request body is larger than ${BODY_LIMIT}`, 'send a smaller body');
    return;
  }
  log('error', 'unhandled error', { method: req.method, path: req.path, error: errorMessage(err) });
  if (res.headersSent) return;
  sendError(res, 500, `internal error: ${errorMessage(err)}`, 'see the service log for details');
};

interface WithRawBody {
  rawBody?: Buffer;
}

function keepRawBody(req: unknown, _res: unknown, buf: Buffer): void {
  (req as WithRawBody).rawBody = buf;
}

/** The request body exactly as received, if it had one. */
export function rawBodyOf(req: Request): Buffer | undefined {
  const kept = (req as WithRawBody).rawBody;
  if (kept) return kept;
  return Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
}

export function appId(): string | undefined {
  return process.env.APP_ID;
}

/** Which replica this is: INSTANCE when the launcher sets it, else the pid (distinct per process). */
export function instanceId(): string {
  return process.env.INSTANCE ?? String(process.pid);
}

export interface ListenOptions {
  defaultPort: number;
  /** How long in-flight requests may take to finish on SIGTERM before the process exits anyway. */
  drainMs?: number;
}

/** Listens on loopback only and exits 0 once in-flight requests finish after SIGTERM/SIGINT. */
export function listen(app: Express, opts: ListenOptions): Server {
  const port = Number(process.env.APP_PORT ?? opts.defaultPort);
  // Loopback unless told otherwise: a local run exposes nothing; in a pod, APP_HOST=0.0.0.0 lets the kubelet and
  // the Service reach it.
  const server = app.listen(port, process.env.APP_HOST ?? '127.0.0.1', () => {
    const bound = server.address();
    log('info', 'listening', { port: typeof bound === 'object' && bound ? bound.port : port, instance: instanceId() });
  });
  server.on('error', (err) => {
    log('error', 'cannot listen', { port, error: errorMessage(err) });
    process.exit(1);
  });
  const shutdown = (signal: string): void => {
    log('info', 'shutting down', { signal });
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), opts.drainMs ?? 5000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}
