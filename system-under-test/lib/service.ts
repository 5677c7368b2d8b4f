import express, { type Express } from 'express';
import type { Server } from 'node:http';

/** One JSON line per event on stdout; the harness keeps it in the run's log folder. */
export function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, app: process.env.APP_ID, msg, ...fields })}\n`);
}

export interface ServiceOptions {
  defaultPort: number;
}

/**
 * An express app with what every reference service has: JSON bodies (CloudEvents included), /healthz,
 * and a graceful shutdown on SIGTERM/SIGINT that lets in-flight requests finish.
 */
export function createService(): Express {
  const app = express();
  app.use(express.json({ type: ['application/json', 'application/cloudevents+json', 'application/*+json'], limit: '4mb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', app: process.env.APP_ID });
  });
  return app;
}

export function listen(app: Express, opts: ServiceOptions): Server {
  const port = Number(process.env.APP_PORT ?? opts.defaultPort);
  const server = app.listen(port, '127.0.0.1', () => log('info', 'listening', { port }));
  const shutdown = (signal: string): void => {
    log('info', 'shutting down', { signal });
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}

/** Base URL of this app's own sidecar, from the variables the Dapr CLI and the harness set. */
export function sidecarUrl(): string {
  return `http://${process.env.DAPR_HOST ?? '127.0.0.1'}:${process.env.DAPR_HTTP_PORT ?? '3500'}`;
}
