/**
 * The Dapr HTTP API calls the reference services make through their own sidecar.
 *
 * Plain fetch rather than @dapr/dapr's DaprClient, on purpose: these services exist to show what Dapr does on the
 * wire, so they need Dapr's exact status codes and error bodies (409 on a stale ETag, the bulk-publish failure
 * list), the ETag response header, and per-call headers (trace context, fault keys). DaprClient turns those into
 * generic exceptions and also waits for the sidecar at construction, which would couple app start to daprd start.
 */
export type Consistency = 'strong' | 'eventual';
export type Concurrency = 'first-write' | 'last-write';

export interface CallOptions {
  /** Extra request headers, e.g. traceparent/tracestate to keep the caller's trace. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface StateOptions {
  concurrency?: Concurrency;
  consistency?: Consistency;
}

export interface SaveStateItem {
  key: string;
  value: unknown;
  etag?: string;
  options?: StateOptions;
  metadata?: Record<string, string>;
}

export interface StateEntry {
  value: unknown;
  etag?: string;
}

export interface BulkStateItem {
  key: string;
  data?: unknown;
  etag?: string;
  error?: string;
}

export interface TransactionOperation {
  operation: string;
  request: { key: string; value?: unknown; etag?: string; options?: StateOptions; metadata?: Record<string, string> };
}

export interface BulkPublishEntry {
  entryId: string;
  event: unknown;
  contentType: string;
  metadata?: Record<string, string>;
}

export interface InvokeRequest {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs?: number;
}

/** A non-success answer from the sidecar (or none at all: status 0), with Dapr's error body as it came. */
export class SidecarError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${operation} failed with status ${status}: ${describeBody(body)}`);
    this.name = 'SidecarError';
  }
}

export interface SidecarClient {
  saveState(store: string, items: SaveStateItem[], opts?: CallOptions): Promise<void>;
  /** undefined when the key does not exist. */
  getState(store: string, key: string, opts?: CallOptions & { consistency?: Consistency }): Promise<StateEntry | undefined>;
  getBulkState(store: string, keys: string[], opts?: CallOptions): Promise<BulkStateItem[]>;
  deleteState(store: string, key: string, opts?: CallOptions & StateOptions & { etag?: string }): Promise<void>;
  transactState(store: string, operations: TransactionOperation[], opts?: CallOptions): Promise<void>;
  publish(pubsub: string, topic: string, data: unknown, opts?: CallOptions & { metadata?: Record<string, string> }): Promise<void>;
  publishBulk(pubsub: string, topic: string, entries: BulkPublishEntry[], opts?: CallOptions): Promise<void>;
  /** The callee's response as it came, whatever its status. Throws only when the sidecar cannot be reached. */
  invoke(appId: string, methodPathAndQuery: string, req: InvokeRequest): Promise<Response>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Base URL of this app's own sidecar, from the variables the Dapr CLI and the harness set. */
export function sidecarUrl(env: NodeJS.ProcessEnv = process.env): string {
  return `http://${env.DAPR_HOST ?? '127.0.0.1'}:${env.DAPR_HTTP_PORT ?? '3500'}`;
}

/**
 * The token this app's sidecar requires on its API, as the Dapr CLI and Dapr's SDKs hand it over (DAPR_API_TOKEN).
 * Empty means the sidecar requires none.
 */
export function sidecarApiToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.DAPR_API_TOKEN || undefined;
}

export function httpSidecarClient(
  baseUrl: string = sidecarUrl(),
  fetchImpl: typeof fetch = fetch,
  apiToken: string | undefined = sidecarApiToken(),
): SidecarClient {
  const call = async (operation: string, path: string, init: RequestInit & CallOptions): Promise<Response> => {
    try {
      return await fetchImpl(`${baseUrl}${path}`, {
        ...init,
        // Set last, so no caller-supplied header can replace it (a relayed request never carries it anyway).
        headers: { ...(init.headers as Record<string, string> | undefined), ...(apiToken ? { 'dapr-api-token': apiToken } : {}) },
        signal: AbortSignal.timeout(init.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      throw new SidecarError(operation, 0, {
        errorCode: 'SIDECAR_UNREACHABLE',
        message: `cannot reach the Dapr sidecar at ${baseUrl}: ${causeOf(err)}`,
      });
    }
  };
  const expectOk = async (operation: string, res: Response): Promise<Response> => {
    if (res.ok) return res;
    throw new SidecarError(operation, res.status, await readBody(res));
  };
  const jsonInit = (method: string, body: unknown, opts?: CallOptions): RequestInit & CallOptions => ({
    method,
    headers: { 'content-type': 'application/json', ...opts?.headers },
    body: JSON.stringify(body),
    timeoutMs: opts?.timeoutMs,
  });
  const seg = encodeURIComponent;

  return {
    async saveState(store, items, opts) {
      await expectOk('save state', await call('save state', `/v1.0/state/${seg(store)}`, jsonInit('POST', items, opts)));
    },

    async getState(store, key, opts) {
      const query = opts?.consistency ? `?consistency=${opts.consistency}` : '';
      const res = await expectOk(
        'get state',
        await call('get state', `/v1.0/state/${seg(store)}/${seg(key)}${query}`, {
          method: 'GET',
          headers: opts?.headers,
          timeoutMs: opts?.timeoutMs,
        }),
      );
      if (res.status === 204) return undefined;
      const text = await res.text();
      if (text === '') return undefined;
      return { value: parseJson(text), etag: res.headers.get('etag') ?? undefined };
    },

    async getBulkState(store, keys, opts) {
      const res = await expectOk(
        'bulk get state',
        await call('bulk get state', `/v1.0/state/${seg(store)}/bulk`, jsonInit('POST', { keys, parallelism: 10 }, opts)),
      );
      return (await res.json()) as BulkStateItem[];
    },

    async deleteState(store, key, opts) {
      const params = new URLSearchParams();
      if (opts?.concurrency) params.set('concurrency', opts.concurrency);
      if (opts?.consistency) params.set('consistency', opts.consistency);
      const query = params.size > 0 ? `?${params.toString()}` : '';
      const headers: Record<string, string> = { ...opts?.headers };
      if (opts?.etag !== undefined) headers['if-match'] = opts.etag;
      await expectOk(
        'delete state',
        await call('delete state', `/v1.0/state/${seg(store)}/${seg(key)}${query}`, {
          method: 'DELETE',
          headers,
          timeoutMs: opts?.timeoutMs,
        }),
      );
    },

    async transactState(store, operations, opts) {
      await expectOk(
        'state transaction',
        await call('state transaction', `/v1.0/state/${seg(store)}/transaction`, jsonInit('POST', { operations }, opts)),
      );
    },

    async publish(pubsub, topic, data, opts) {
      const params = new URLSearchParams(Object.entries(opts?.metadata ?? {}).map(([k, v]): [string, string] => [`metadata.${k}`, v]));
      const query = params.size > 0 ? `?${params.toString()}` : '';
      await expectOk('publish', await call('publish', `/v1.0/publish/${seg(pubsub)}/${seg(topic)}${query}`, jsonInit('POST', data, opts)));
    },

    async publishBulk(pubsub, topic, entries, opts) {
      await expectOk(
        'bulk publish',
        await call('bulk publish', `/v1.0-alpha1/publish/bulk/${seg(pubsub)}/${seg(topic)}`, jsonInit('POST', entries, opts)),
      );
    },

    async invoke(appId, methodPathAndQuery, req) {
      return call('invoke', `/v1.0/invoke/${seg(appId)}/method/${methodPathAndQuery}`, {
        method: req.method,
        headers: req.headers,
        body: req.body && !['GET', 'HEAD'].includes(req.method) ? new Uint8Array(req.body) : undefined,
        timeoutMs: req.timeoutMs,
      });
    },
  };
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text().catch(() => '');
  if (text === '') return { message: `empty response with status ${res.status}` };
  return parseJson(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeBody(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const b = body as { errorCode?: unknown; message?: unknown };
    if (typeof b.message === 'string') return typeof b.errorCode === 'string' ? `${b.errorCode}: ${b.message}` : b.message;
  }
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function causeOf(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string; name?: string };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
