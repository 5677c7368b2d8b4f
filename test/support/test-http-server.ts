import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type TestHandler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/**
 * A real node:http server on 127.0.0.1 for driver tests: counts requests, tracks how many are being handled at
 * once, and closes every socket on stop so no test leaves a connection behind.
 */
export interface TestHttpServer {
  url: string;
  port: number;
  /** Requests received so far. */
  received: number;
  maxConcurrency: number;
  setHandler(handler: TestHandler): void;
  stop(): Promise<void>;
}

export const answerOk: TestHandler = (_req, res) => {
  res.end('ok');
};

export async function startTestHttpServer(handler: TestHandler = answerOk): Promise<TestHttpServer> {
  let current = handler;
  let active = 0;
  const state = { received: 0, maxConcurrency: 0 };
  const server = http.createServer((req, res) => {
    const n = state.received++;
    active++;
    state.maxConcurrency = Math.max(state.maxConcurrency, active);
    let counted = true;
    const done = (): void => {
      if (counted) active--;
      counted = false;
    };
    res.on('finish', done);
    res.on('close', done);
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    current(req, res, n);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get received() {
      return state.received;
    },
    get maxConcurrency() {
      return state.maxConcurrency;
    },
    setHandler(h: TestHandler) {
      current = h;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
