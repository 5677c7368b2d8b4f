import { expect } from 'chai';
import type { LocalDeployment } from '../../harness/targets/local/local-target';
import { sharedDeployment } from '../support/shared-deployment';
import { appUrl, json, uniqueId, waitFor } from './sut-http';

describe('reference services: preferences-service state through the real daprd and Redis', function () {
  this.timeout(180_000);
  let d: LocalDeployment;
  let first: string;
  let second: string;
  const users: string[] = [];

  const user = (prefix: string): string => {
    const id = uniqueId(prefix);
    users.push(id);
    return id;
  };
  const put = (base: string, userId: string, value: unknown, opts: { etag?: string; query?: string } = {}) =>
    json<{ etag: string; error?: string }>(`${base}/preferences/${userId}${opts.query ?? ''}`, {
      method: 'PUT',
      body: value,
      headers: opts.etag ? { 'if-match': opts.etag } : {},
    });

  before(async () => {
    d = await sharedDeployment();
    first = appUrl(d, 'preferences-service', 0);
    second = appUrl(d, 'preferences-service', 1);
  });

  afterEach(async () => {
    for (const id of users.splice(0)) await json(`${first}/preferences/${id}`, { method: 'DELETE' });
  });

  it('runs two instances that are different processes', async () => {
    const a = await json<{ app: string; instance: string }>(`${first}/whoami`);
    const b = await json<{ app: string; instance: string }>(`${second}/whoami`);
    expect(a.body.app).to.equal('preferences-service');
    expect(b.body.app).to.equal('preferences-service');
    expect(a.body.instance).not.to.equal(b.body.instance);
  });

  it('preferences written through one instance are read through the other, with the same ETag', async () => {
    const id = user('shared');
    const saved = await put(first, id, { theme: 'dark', lang: 'fr' });
    expect(saved.status).to.equal(200);
    expect(saved.body.etag).to.be.a('string').and.not.equal('');
    const read = await json<{ value: unknown; etag: string }>(`${second}/preferences/${id}`);
    expect(read.status).to.equal(200);
    expect(read.body).to.deep.equal({ value: { theme: 'dark', lang: 'fr' }, etag: saved.body.etag });
  });

  it('a stale ETag gets 409 and changes nothing; the current one succeeds', async () => {
    const id = user('etag');
    const v1 = await put(first, id, { v: 1 });
    const v2 = await put(second, id, { v: 2 }, { etag: v1.body.etag });
    expect(v2.status, 'the current ETag is accepted').to.equal(200);
    expect(v2.body.etag).not.to.equal(v1.body.etag);
    const stale = await put(first, id, { v: 3 }, { etag: v1.body.etag });
    expect(stale.status).to.equal(409);
    expect(stale.body.error).to.equal('conflict');
    const read = await json<{ value: unknown; etag: string }>(`${first}/preferences/${id}`);
    expect(read.body).to.deep.equal({ value: { v: 2 }, etag: v2.body.etag });
  });

  it('a stale ETag on delete gets 409 and the preferences stay', async () => {
    const id = user('delete');
    const v1 = await put(first, id, { v: 1 });
    await put(first, id, { v: 2 });
    expect((await json(`${second}/preferences/${id}`, { method: 'DELETE', headers: { 'if-match': v1.body.etag } })).status).to.equal(409);
    expect((await json(`${second}/preferences/${id}`)).status).to.equal(200);
    expect((await json(`${second}/preferences/${id}`, { method: 'DELETE' })).status).to.equal(204);
    expect((await json(`${first}/preferences/${id}`)).status).to.equal(404);
  });

  it('preferences saved with ttlInSeconds=1 expire', async () => {
    const id = user('ttl');
    expect((await put(first, id, { short: true }, { query: '?ttlInSeconds=1' })).status).to.equal(200);
    expect((await json(`${second}/preferences/${id}`)).status, 'present right after the write').to.equal(200);
    await waitFor(`expiry of ${id}`, async () => ((await json(`${second}/preferences/${id}`)).status === 404 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 250,
    });
  });

  it('without a TTL they do not expire (negative)', async () => {
    const id = user('no-ttl');
    await put(first, id, { long: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await json(`${second}/preferences/${id}`)).status).to.equal(200);
  });

  it('bulk get answers every user asked for, null for the missing', async () => {
    const a = user('bulk');
    const b = user('bulk');
    await put(first, a, { n: 1 });
    await put(second, b, { n: 2 });
    const res = await json<{ items: { userId: string; value: unknown; etag: string | null }[] }>(`${second}/preferences/bulk`, {
      body: { userIds: [a, 'never-written-user', b] },
    });
    expect(res.status).to.equal(200);
    expect(res.body.items.map((i) => [i.userId, i.value])).to.deep.equal([
      [a, { n: 1 }],
      ['never-written-user', null],
      [b, { n: 2 }],
    ]);
    expect(res.body.items[0]?.etag).to.be.a('string');
    expect(res.body.items[1]?.etag).to.equal(null);
  });

  it('a transaction applies all of its operations', async () => {
    const a = user('tx');
    const b = user('tx');
    await put(first, b, { old: true });
    const res = await json(`${first}/preferences/transaction`, {
      body: {
        operations: [
          { operation: 'upsert', userId: a, value: { n: 1 } },
          { operation: 'delete', userId: b },
        ],
      },
    });
    expect(res.status).to.equal(200);
    expect((await json<{ value: unknown }>(`${second}/preferences/${a}`)).body.value).to.deep.equal({ n: 1 });
    expect((await json(`${second}/preferences/${b}`)).status).to.equal(404);
  });

  it('an invalid operation makes the whole transaction fail, and none of it applies (negative)', async () => {
    const a = user('tx-bad');
    const res = await json<{ errorCode: string }>(`${first}/preferences/transaction`, {
      body: {
        operations: [
          { operation: 'upsert', userId: a, value: { n: 1 } },
          { operation: 'merge', userId: a },
        ],
      },
    });
    expect(res.status).to.equal(400);
    expect(res.body.errorCode).to.equal('ERR_NOT_SUPPORTED_STATE_OPERATION');
    expect((await json(`${second}/preferences/${a}`)).status).to.equal(404);
  });

  it('refuses bad input with the problem named', async () => {
    const res = await json<{ error: string; hint: string }>(`${first}/preferences/someone?ttlInSeconds=0`, { method: 'PUT', body: {} });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.match(/ttlInSeconds must be a whole number/);
    expect(res.body.hint).to.be.a('string');
  });
});
