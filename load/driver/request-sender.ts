import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import type { DriverRequest } from './driver-options';
import { DriverTimeoutError } from './error-kind';

/** What happened to one request. Times are `performance.now()` ms. */
export interface SendOutcome {
  /** When the request was written to a socket (when it never was: when it was handed to the pool). */
  startedAt: number;
  endedAt: number;
  status?: number;
  /** Only when bodies are read (a custom classifier); at most BODY_LIMIT bytes. */
  body?: string;
  /** Set when no complete response arrived. */
  error?: unknown;
}

const BODY_LIMIT = 64 * 1024;

/**
 * One request through undici's dispatch API, with no promise or stream per request: the driver pays only for
 * timestamps. `done` runs once, when undici has let go of the request, so the caller's count of requests in
 * flight never runs ahead of the pool's.
 */
class RequestHandler implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | undefined;
  outcome: SendOutcome | undefined;
  status: number | undefined;
  chunks: Buffer[] | undefined;
  bodyBytes = 0;

  constructor(
    readonly dispatchedAt: number,
    readonly deadline: number,
    private readonly readBody: boolean,
    private readonly done: (outcome: SendOutcome) => void,
  ) {}

  startedAt = 0;

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    this.startedAt = performance.now();
    // It timed out while still waiting for a socket.
    if (this.outcome) controller.abort(this.outcome.error as Error);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.readBody || this.bodyBytes >= BODY_LIMIT) return;
    (this.chunks ??= []).push(chunk);
    this.bodyBytes += chunk.length;
  }

  onResponseEnd(): void {
    const endedAt = performance.now();
    this.outcome ??= {
      startedAt: this.startedAt || this.dispatchedAt,
      endedAt,
      status: this.status,
      body: this.readBody
        ? Buffer.concat(this.chunks ?? [])
            .subarray(0, BODY_LIMIT)
            .toString('utf8')
        : undefined,
    };
    this.done(this.outcome);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.outcome ??= { startedAt: this.startedAt || this.dispatchedAt, endedAt: performance.now(), error };
    this.done(this.outcome);
  }

  /** Decides the outcome now; undici is told to stop, and `done` follows when it has. */
  timeOut(now: number, timeoutMs: number): void {
    if (this.outcome) return;
    this.outcome = { startedAt: this.startedAt || this.dispatchedAt, endedAt: now, error: new DriverTimeoutError(timeoutMs) };
    this.controller?.abort(this.outcome.error as Error);
  }
}

export interface RequestSenderOptions {
  origin: string;
  /** Prefix for every request path (the base URL's path). */
  basePath: string;
  connections: number;
  pipelining: number;
  timeoutMs: number;
  readBody: boolean;
}

export class RequestSender {
  private readonly pool: Pool;
  /** Deadlines grow in dispatch order (one timeout for all), so the oldest request is always first to expire. */
  private readonly pending: RequestHandler[] = [];
  private pendingHead = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: RequestSenderOptions) {
    this.pool = new Pool(options.origin, {
      connections: options.connections,
      pipelining: options.pipelining,
      connectTimeout: options.timeoutMs,
      // Backstops only: the sweeper enforces the timeout on the whole exchange.
      headersTimeout: options.timeoutMs + 1000,
      bodyTimeout: options.timeoutMs + 1000,
    });
    const everyMs = Math.max(5, Math.min(100, options.timeoutMs / 10));
    this.sweeper = setInterval(() => this.sweep(performance.now()), everyMs);
    this.sweeper.unref();
  }

  send(request: DriverRequest, done: (outcome: SendOutcome) => void): void {
    const now = performance.now();
    const handler = new RequestHandler(now, now + this.options.timeoutMs, this.options.readBody, done);
    const path = this.options.basePath + request.path || '/';
    try {
      this.pool.dispatch(
        { method: (request.method ?? 'GET') as Dispatcher.HttpMethod, path, headers: request.headers, body: request.body },
        handler,
      );
    } catch (error) {
      // undici rejects bad arguments synchronously; report it like any other failure, but not re-entrantly.
      queueMicrotask(() => handler.onResponseError(undefined as unknown as Dispatcher.DispatchController, error as Error));
      return;
    }
    this.pending.push(handler);
  }

  private sweep(now: number): void {
    while (this.pendingHead < this.pending.length) {
      const head = this.pending[this.pendingHead];
      if (!head) break;
      if (head.outcome === undefined) {
        if (head.deadline > now) break;
        head.timeOut(now, this.options.timeoutMs);
      }
      this.pendingHead++;
    }
    // Compact now and then so the queue does not grow with the run.
    if (this.pendingHead > 4096 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Fails whatever is still in flight (each gets its `done`) and closes the sockets. */
  async destroy(): Promise<void> {
    clearInterval(this.sweeper);
    await this.pool.destroy();
  }
}
