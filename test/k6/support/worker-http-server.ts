import { Worker } from 'node:worker_threads';

/**
 * A loopback HTTP server on a thread of its own. k6 code is synchronous, and so is the test runtime's HTTP: a
 * server on the test's own event loop could never answer while a script waits for it.
 */
export interface Route {
  method?: string;
  /** Matches a request whose path (query string excluded) equals it, or starts with it when it ends in `*`. */
  path: string;
  status: number;
  body?: unknown;
}

export interface CapturedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
let routes = [];
const requests = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const [path, query = ''] = req.url.split('?');
    requests.push({ method: req.method, path, query, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const route = routes.find((r) => (!r.method || r.method === req.method) && (r.path.endsWith('*') ? path.startsWith(r.path.slice(0, -1)) : path === r.path));
    const status = route ? route.status : 404;
    const body = route && route.body !== undefined ? JSON.stringify(route.body) : '';
    res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
    res.end(body);
  });
});
parentPort.on('message', (m) => {
  if (m.type === 'routes') { routes = m.routes; parentPort.postMessage({ type: 'ok' }); }
  if (m.type === 'requests') parentPort.postMessage({ type: 'requests', requests: requests.splice(0) });
  if (m.type === 'stop') server.close(() => parentPort.postMessage({ type: 'stopped' }));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
`;

export class WorkerHttpServer {
  private constructor(
    private readonly worker: Worker,
    readonly url: string,
  ) {}

  static async start(routes: Route[] = []): Promise<WorkerHttpServer> {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { type: string; port: number }) => resolve(m.port));
    });
    const server = new WorkerHttpServer(worker, `http://127.0.0.1:${port}`);
    await server.setRoutes(routes);
    return server;
  }

  private ask<T>(message: { type: string; [k: string]: unknown }, answer: string): Promise<T> {
    return new Promise<T>((resolve) => {
      const on = (m: { type: string }): void => {
        if (m.type !== answer) return;
        this.worker.off('message', on);
        resolve(m as T);
      };
      this.worker.on('message', on);
      this.worker.postMessage(message);
    });
  }

  async setRoutes(routes: Route[]): Promise<void> {
    await this.ask({ type: 'routes', routes }, 'ok');
  }

  /** The requests received since the last call, oldest first. */
  async takeRequests(): Promise<CapturedRequest[]> {
    return (await this.ask<{ requests: CapturedRequest[] }>({ type: 'requests' }, 'requests')).requests;
  }

  async stop(): Promise<void> {
    await this.ask({ type: 'stop' }, 'stopped');
    await this.worker.terminate();
  }
}
