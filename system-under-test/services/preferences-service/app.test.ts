import { expect } from 'chai';
import { MemorySidecar } from '../../../test/support/sut-apps/memory-sidecar';
import { call, quietLogs, serve, type Served } from '../../../test/support/sut-apps/serve';
import { createPreferencesApp } from './app';

describe('preferences-service', () => {
  const quiet = quietLogs();
  before(quiet.before);
  after(quiet.after);
  let served: Served;
  let sidecar: MemorySidecar;

  beforeEach(async () => {
    sidecar = new MemorySidecar();
    served = await serve(createPreferencesApp({ sidecar }));
  });

  afterEach(async () => {
    await served.close();
  });

  const put = (
    user: string,
    value: unknown,
    opts: { query?: string; etag?: string } = {},
  ): Promise<{ status: number; body: { etag?: string; error?: string } }> =>
    call(`${served.url}/preferences/${user}${opts.query ?? ''}`, {
      method: 'PUT',
      json: value,
      headers: opts.etag ? { 'if-match': opts.etag } : {},
    });

  it('PUT saves under the user id and answers the new ETag; GET returns value and ETag', async () => {
    const saved = await put('u1', { theme: 'dark' });
    expect(saved).to.deep.include({ status: 200, body: { etag: '1' } });
    expect(sidecar.saves[0]?.items[0]).to.deep.equal({ key: 'u1', value: { theme: 'dark' }, options: {} });
    const got = await call(`${served.url}/preferences/u1`);
    expect(got.body).to.deep.equal({ value: { theme: 'dark' }, etag: '1' });
  });

  it('if-match makes it a first-write save with that ETag; a stale one is 409 {error: "conflict"}', async () => {
    await put('u1', { v: 0 });
    expect((await put('u1', { v: 1 }, { etag: '1' })).body).to.deep.equal({ etag: '2' });
    expect(sidecar.saves[1]?.items[0]).to.deep.include({ etag: '1', options: { concurrency: 'first-write' } });
    const stale = await put('u1', { v: 2 }, { etag: '1' });
    expect(stale.status).to.equal(409);
    expect(stale.body.error).to.equal('conflict');
    expect((await call<{ value: unknown }>(`${served.url}/preferences/u1`)).body.value, 'the stale write changed nothing').to.deep.equal({
      v: 1,
    });
  });

  it('accepts a quoted or weak ETag in if-match', async () => {
    await put('u1', { v: 0 });
    expect((await put('u1', { v: 1 }, { etag: 'W/"1"' })).status).to.equal(200);
  });

  it('passes ttlInSeconds as state metadata and consistency as a state option', async () => {
    await put('u1', { v: 0 }, { query: '?ttlInSeconds=5&consistency=strong' });
    expect(sidecar.saves[0]?.items[0]).to.deep.include({ metadata: { ttlInSeconds: '5' }, options: { consistency: 'strong' } });
  });

  it('refuses a bad ttlInSeconds or consistency, and a body that is not JSON', async () => {
    for (const q of ['?ttlInSeconds=0', '?ttlInSeconds=abc', '?consistency=linearizable']) {
      const res = await put('u1', {}, { query: q });
      expect(res.status, q).to.equal(400);
    }
    const text = await fetch(`${served.url}/preferences/u1`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'dark' });
    expect(text.status).to.equal(400);
    expect(sidecar.saves).to.deep.equal([]);
  });

  it('GET of an unknown user is 404', async () => {
    expect((await call(`${served.url}/preferences/nobody`)).status).to.equal(404);
  });

  it('DELETE removes; with a stale if-match it is 409 and the value stays', async () => {
    await put('u1', { v: 0 });
    expect((await call(`${served.url}/preferences/u1`, { method: 'DELETE', headers: { 'if-match': '7' } })).status).to.equal(409);
    expect(sidecar.state.has('u1')).to.equal(true);
    expect((await call(`${served.url}/preferences/u1`, { method: 'DELETE', headers: { 'if-match': '1' } })).status).to.equal(204);
    expect(sidecar.state.has('u1')).to.equal(false);
  });

  it('POST /preferences/bulk answers every user asked for, in order, null for the missing', async () => {
    await put('a', { n: 1 });
    const res = await call(`${served.url}/preferences/bulk`, { json: { userIds: ['missing', 'a'] } });
    expect(res.body).to.deep.equal({
      items: [
        { userId: 'missing', value: null, etag: null },
        { userId: 'a', value: { n: 1 }, etag: '1' },
      ],
    });
    expect((await call(`${served.url}/preferences/bulk`, { json: { userIds: [] } })).status).to.equal(400);
  });

  it('POST /preferences/transaction maps operations onto a Dapr transaction', async () => {
    await put('b', { n: 0 });
    const res = await call(`${served.url}/preferences/transaction`, {
      json: {
        operations: [
          { operation: 'upsert', userId: 'a', value: { n: 1 } },
          { operation: 'delete', userId: 'b', etag: '1' },
        ],
      },
    });
    expect(res).to.deep.include({ status: 200, body: { committed: 2 } });
    expect(sidecar.transactions[0]).to.deep.equal([
      { operation: 'upsert', request: { key: 'a', value: { n: 1 } } },
      { operation: 'delete', request: { key: 'b', etag: '1', options: { concurrency: 'first-write' } } },
    ]);
    expect(sidecar.state.has('b')).to.equal(false);
  });

  it("an invalid operation fails the whole transaction with Dapr's 400, and nothing applies", async () => {
    const res = await call<{ errorCode: string }>(`${served.url}/preferences/transaction`, {
      json: {
        operations: [
          { operation: 'upsert', userId: 'a', value: 1 },
          { operation: 'merge', userId: 'b' },
        ],
      },
    });
    expect(res.status).to.equal(400);
    expect(res.body.errorCode).to.equal('ERR_NOT_SUPPORTED_STATE_OPERATION');
    expect(sidecar.state.has('a')).to.equal(false);
  });

  it('refuses a transaction without operations or with an operation lacking a userId', async () => {
    expect((await call(`${served.url}/preferences/transaction`, { json: { operations: [] } })).status).to.equal(400);
    const res = await call<{ error: string }>(`${served.url}/preferences/transaction`, {
      json: { operations: [{ operation: 'upsert', value: 1 }] },
    });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.equal('operations[0].userId must be a non-empty string');
    expect(sidecar.transactions).to.deep.equal([]);
  });

  it("a state store failure is 502 with Dapr's body", async () => {
    sidecar.failNext('get state', 500, { errorCode: 'ERR_STATE_GET', message: 'redis down' });
    const res = await call(`${served.url}/preferences/u1`);
    expect(res).to.deep.include({ status: 502, body: { errorCode: 'ERR_STATE_GET', message: 'redis down' } });
  });

  it('GET /whoami names the app and this instance', async () => {
    const res = await call<{ instance: string }>(`${served.url}/whoami`);
    expect(res.body.instance).to.equal(process.env.INSTANCE ?? String(process.pid));
  });
});
