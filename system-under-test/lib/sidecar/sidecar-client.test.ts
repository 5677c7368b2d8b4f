import { expect } from 'chai';
import express from 'express';
import { serve, type Served } from '../../../test/support/sut-apps/serve';
import { httpSidecarClient, sidecarApiToken, SidecarError, sidecarUrl, type SidecarClient } from './sidecar-client';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A stand-in sidecar that answers as Dapr's HTTP API does for the requests the client makes, and records them, so
 * the tests check the exact wire format (paths, query, headers, bodies).
 */
describe('httpSidecarClient (against a stand-in sidecar)', () => {
  let served: Served;
  let seen: Seen[];
  let client: SidecarClient;
  let answer: (req: express.Request, res: express.Response) => void;

  beforeEach(async () => {
    seen = [];
    answer = (_req, res) => void res.status(204).end();
    const app = express();
    app.use(express.json({ type: () => true }));
    app.use((req, res) => {
      seen.push({ method: req.method, url: req.originalUrl, headers: req.headers, body: req.body });
      answer(req, res);
    });
    served = await serve(app);
    client = httpSidecarClient(served.url);
  });

  afterEach(async () => {
    await served.close();
  });

  it('builds the sidecar URL from DAPR_HOST and DAPR_HTTP_PORT', () => {
    expect(sidecarUrl({ DAPR_HOST: '10.0.0.1', DAPR_HTTP_PORT: '3999' })).to.equal('http://10.0.0.1:3999');
    expect(sidecarUrl({})).to.equal('http://127.0.0.1:3500');
  });

  it('saves state as a JSON list, with the trace headers it was given', async () => {
    await client.saveState(
      'statestore',
      [{ key: 'k', value: { a: 1 }, etag: '3', options: { concurrency: 'first-write' }, metadata: { ttlInSeconds: '5' } }],
      { headers: { traceparent: 'tp' } },
    );
    expect(seen[0]).to.deep.include({
      method: 'POST',
      url: '/v1.0/state/statestore',
      body: [{ key: 'k', value: { a: 1 }, etag: '3', options: { concurrency: 'first-write' }, metadata: { ttlInSeconds: '5' } }],
    });
    expect(seen[0]?.headers.traceparent).to.equal('tp');
  });

  it('gets state with its ETag, and undefined for a missing key (204)', async () => {
    answer = (_req, res) => void res.set('etag', '7').json({ theme: 'dark' });
    expect(await client.getState('statestore', 'u/1', { consistency: 'strong' })).to.deep.equal({ value: { theme: 'dark' }, etag: '7' });
    expect(seen[0]?.url).to.equal('/v1.0/state/statestore/u%2F1?consistency=strong');
    answer = (_req, res) => void res.status(204).end();
    expect(await client.getState('statestore', 'none')).to.equal(undefined);
  });

  it('deletes with if-match and the concurrency mode in the query', async () => {
    await client.deleteState('statestore', 'k', { etag: '4', concurrency: 'first-write' });
    expect(seen[0]).to.deep.include({ method: 'DELETE', url: '/v1.0/state/statestore/k?concurrency=first-write' });
    expect(seen[0]?.headers['if-match']).to.equal('4');
  });

  it('bulk-gets and runs transactions on their own endpoints', async () => {
    answer = (_req, res) => void res.json([{ key: 'a', data: 1, etag: '1' }, { key: 'b' }]);
    expect(await client.getBulkState('statestore', ['a', 'b'])).to.deep.equal([{ key: 'a', data: 1, etag: '1' }, { key: 'b' }]);
    expect(seen[0]).to.deep.include({ url: '/v1.0/state/statestore/bulk', body: { keys: ['a', 'b'], parallelism: 10 } });
    answer = (_req, res) => void res.status(204).end();
    await client.transactState('statestore', [{ operation: 'upsert', request: { key: 'a', value: 2 } }]);
    expect(seen[1]).to.deep.include({
      url: '/v1.0/state/statestore/transaction',
      body: { operations: [{ operation: 'upsert', request: { key: 'a', value: 2 } }] },
    });
  });

  it('publishes JSON with metadata as query parameters, and bulk-publishes to the alpha endpoint', async () => {
    await client.publish('pubsub', 'task.created', { eventId: 'e' }, { metadata: { rawPayload: 'true' } });
    expect(seen[0]).to.deep.include({ url: '/v1.0/publish/pubsub/task.created?metadata.rawPayload=true', body: { eventId: 'e' } });
    expect(seen[0]?.headers['content-type']).to.equal('application/json');
    await client.publishBulk('pubsub', 'task.created', [{ entryId: 'e', event: { eventId: 'e' }, contentType: 'application/json' }]);
    expect(seen[1]).to.deep.include({ url: '/v1.0-alpha1/publish/bulk/pubsub/task.created' });
  });

  it("throws SidecarError with Dapr's status and error body", async () => {
    answer = (_req, res) => void res.status(409).json({ errorCode: 'ERR_STATE_SAVE', message: 'possible etag mismatch' });
    const err = await client.saveState('statestore', [{ key: 'k', value: 1 }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(SidecarError);
    expect(err).to.include({ status: 409, operation: 'save state' });
    expect((err as SidecarError).body).to.deep.equal({ errorCode: 'ERR_STATE_SAVE', message: 'possible etag mismatch' });
    expect((err as Error).message).to.equal('save state failed with status 409: ERR_STATE_SAVE: possible etag mismatch');
  });

  it('reports an unreachable sidecar as status 0 naming the address', async () => {
    await served.close();
    const err = (await client.publish('pubsub', 't', {}).then(
      () => undefined,
      (e: unknown) => e,
    )) as SidecarError;
    expect(err).to.be.instanceOf(SidecarError);
    expect(err.status).to.equal(0);
    expect(err.body).to.deep.include({ errorCode: 'SIDECAR_UNREACHABLE' });
    expect((err.body as { message: string }).message).to.contain(served.url);
    served = await serve(express());
  });

  it('sends the sidecar API token (DAPR_API_TOKEN) on every call: state, publish, bulk publish, invoke', async () => {
    const withToken = httpSidecarClient(served.url, fetch, 'sidecar-token-123');
    await withToken.saveState('statestore', [{ key: 'k', value: 1 }]);
    await withToken.deleteState('statestore', 'k');
    await withToken.transactState('statestore', []);
    await withToken.publish('pubsub', 't', {});
    await withToken.publishBulk('pubsub', 't', []);
    // A relayed request's own dapr-api-token (the app token daprd sent the relay) must not reach the sidecar.
    await withToken.invoke('task-service', 'x', { method: 'POST', headers: { 'dapr-api-token': 'app-token-from-caller' } });
    answer = (_req, res) => void res.json([]);
    await withToken.getBulkState('statestore', ['a']);
    answer = (_req, res) => void res.status(204).end();
    await withToken.getState('statestore', 'k');
    expect(seen.map((s) => s.headers['dapr-api-token'])).to.deep.equal(Array(8).fill('sidecar-token-123'));
    expect(sidecarApiToken({ DAPR_API_TOKEN: 'abc' })).to.equal('abc');
    expect(sidecarApiToken({ DAPR_API_TOKEN: '' })).to.equal(undefined);
  });

  it('sends no token when the sidecar requires none', async () => {
    await httpSidecarClient(served.url, fetch, undefined).publish('pubsub', 't', {});
    expect(seen[0]?.headers['dapr-api-token']).to.equal(undefined);
  });

  it('invoke returns the callee response whatever its status, and sends no body on GET', async () => {
    answer = (_req, res) => void res.status(503).type('text/plain').send('busy');
    const res = await client.invoke('task-service', 'tasks/1?x=1', {
      method: 'GET',
      headers: { 'x-fault-key': 'k' },
      body: Buffer.from('ignored'),
    });
    expect(res.status).to.equal(503);
    expect(await res.text()).to.equal('busy');
    expect(seen[0]).to.deep.include({ method: 'GET', url: '/v1.0/invoke/task-service/method/tasks/1?x=1' });
    expect(seen[0]?.headers['x-fault-key']).to.equal('k');
    expect(seen[0]?.headers['content-length']).to.equal(undefined);
  });
});
