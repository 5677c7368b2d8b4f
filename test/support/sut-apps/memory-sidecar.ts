import type {
  BulkPublishEntry,
  BulkStateItem,
  CallOptions,
  InvokeRequest,
  SaveStateItem,
  SidecarClient,
  StateEntry,
  TransactionOperation,
} from '../../../system-under-test/lib/sidecar/sidecar-client';
import { SidecarError } from '../../../system-under-test/lib/sidecar/sidecar-client';

export interface Published {
  pubsub: string;
  topic: string;
  data: unknown;
  metadata?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface SavedCall {
  store: string;
  items: SaveStateItem[];
  headers?: Record<string, string>;
}

/**
 * A stand-in for a sidecar in unit tests, with the state semantics the services rely on: numeric ETags that change
 * on every write, first-write refusing a stale ETag with 409, and a transaction that applies all or nothing.
 */
export class MemorySidecar implements SidecarClient {
  readonly state = new Map<string, { value: unknown; etag: number; metadata?: Record<string, string> }>();
  readonly published: Published[] = [];
  readonly bulkPublished: { pubsub: string; topic: string; entries: BulkPublishEntry[] }[] = [];
  readonly saves: SavedCall[] = [];
  readonly invocations: { appId: string; path: string; req: InvokeRequest }[] = [];
  readonly transactions: TransactionOperation[][] = [];
  invokeAnswer: (appId: string, path: string, req: InvokeRequest) => Response = () =>
    new Response('{}', { headers: { 'content-type': 'application/json' } });
  private failures = new Map<string, SidecarError[]>();

  /** Makes the next call of `operation` fail as Dapr would, with `status` and Dapr's error body. */
  failNext(operation: string, status: number, body: unknown = { errorCode: 'ERR_TEST', message: `${operation} failed` }): void {
    const list = this.failures.get(operation) ?? [];
    list.push(new SidecarError(operation, status, body));
    this.failures.set(operation, list);
  }

  async saveState(store: string, items: SaveStateItem[], opts?: CallOptions): Promise<void> {
    this.maybeFail('save state');
    this.saves.push({ store, items, headers: opts?.headers });
    for (const item of items) this.checkEtag(item.key, item.etag, item.options?.concurrency);
    for (const item of items) this.write(item.key, item.value, item.metadata);
  }

  async getState(_store: string, key: string): Promise<StateEntry | undefined> {
    this.maybeFail('get state');
    const found = this.state.get(key);
    return found ? { value: structuredClone(found.value), etag: String(found.etag) } : undefined;
  }

  async getBulkState(_store: string, keys: string[]): Promise<BulkStateItem[]> {
    this.maybeFail('bulk get state');
    return keys.map((key) => {
      const found = this.state.get(key);
      return found ? { key, data: found.value, etag: String(found.etag) } : { key };
    });
  }

  async deleteState(_store: string, key: string, opts?: { etag?: string; concurrency?: string }): Promise<void> {
    this.maybeFail('delete state');
    this.checkEtag(key, opts?.etag, opts?.concurrency);
    this.state.delete(key);
  }

  async transactState(_store: string, operations: TransactionOperation[]): Promise<void> {
    this.maybeFail('state transaction');
    this.transactions.push(operations);
    for (const op of operations) {
      if (op.operation !== 'upsert' && op.operation !== 'delete') {
        throw new SidecarError('state transaction', 400, {
          errorCode: 'ERR_NOT_SUPPORTED_STATE_OPERATION',
          message: `operation type ${op.operation} not supported`,
        });
      }
      this.checkEtag(op.request.key, op.request.etag, op.request.options?.concurrency);
    }
    for (const op of operations) {
      if (op.operation === 'upsert') this.write(op.request.key, op.request.value);
      else this.state.delete(op.request.key);
    }
  }

  async publish(pubsub: string, topic: string, data: unknown, opts?: CallOptions & { metadata?: Record<string, string> }): Promise<void> {
    this.maybeFail('publish');
    this.published.push({ pubsub, topic, data, metadata: opts?.metadata, headers: opts?.headers });
  }

  async publishBulk(pubsub: string, topic: string, entries: BulkPublishEntry[]): Promise<void> {
    this.maybeFail('bulk publish');
    this.bulkPublished.push({ pubsub, topic, entries });
  }

  async invoke(appId: string, path: string, req: InvokeRequest): Promise<Response> {
    this.maybeFail('invoke');
    this.invocations.push({ appId, path, req });
    return this.invokeAnswer(appId, path, req);
  }

  private write(key: string, value: unknown, metadata?: Record<string, string>): void {
    const etag = (this.state.get(key)?.etag ?? 0) + 1;
    this.state.set(key, { value: structuredClone(value), etag, metadata });
  }

  private checkEtag(key: string, etag: string | undefined, concurrency: string | undefined): void {
    if (etag === undefined || concurrency !== 'first-write') return;
    if (String(this.state.get(key)?.etag) !== etag) {
      throw new SidecarError('state', 409, { errorCode: 'ERR_STATE_SAVE', message: `possible etag mismatch for key ${key}` });
    }
  }

  private maybeFail(operation: string): void {
    const next = this.failures.get(operation)?.shift();
    if (next) throw next;
  }
}
