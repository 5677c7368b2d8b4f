import { poll } from '../../harness/process/wait/poll';
import { expect } from 'chai';
import { measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { http, uniqueId } from '../support/http';
import { APPS, appUrlOf, instancesOf, invoke, sidecarUrl, STATE_STORE } from '../support/sut';

const state = (): string => `${sidecarUrl(APPS.preferences)}/v1.0/state/${STATE_STORE}`;

describe('US3 state: preferences and task state through the state API', () => {
  const written: string[] = [];
  const userIds: string[] = [];

  after(async () => {
    for (const key of written) await http(`${state()}/${key}`, { method: 'DELETE' });
    for (const id of userIds) await invoke(APPS.sample, APPS.preferences, `preferences/${id}`, { method: 'DELETE' });
  });

  const key = (prefix: string): string => {
    const k = uniqueId(prefix);
    written.push(k);
    return k;
  };

  it('save, get and delete round-trip through the sidecar', async function () {
    const k = key('roundtrip');
    const started = performance.now();
    expect((await http(state(), { method: 'POST', json: [{ key: k, value: { theme: 'dark' } }] })).status).to.equal(204);
    const got = await http<{ theme: string }>(`${state()}/${k}`);
    measure(this, 'saveGetMs', Math.round(performance.now() - started));
    expect(got.status).to.equal(200);
    expect(got.body).to.deep.equal({ theme: 'dark' });
    expect(got.headers.get('etag')).to.be.a('string');
    expect((await http(`${state()}/${k}`, { method: 'DELETE' })).status).to.equal(204);
    expect((await http(`${state()}/${k}`)).status, 'gone after delete').to.equal(204);
  });

  it('bulk get returns every key asked for, with values and ETags', async () => {
    const keys = [key('bulk'), key('bulk'), key('bulk')];
    await http(state(), { method: 'POST', json: keys.map((k, i) => ({ key: k, value: { i } })) });
    const res = await http<{ key: string; data: { i: number }; etag: string }[]>(`${state()}/bulk`, {
      method: 'POST',
      json: { keys: [...keys, 'never-written'] },
    });
    expect(res.status).to.equal(200);
    const byKey = new Map(res.body.map((r) => [r.key, r]));
    keys.forEach((k, i) => expect(byKey.get(k)?.data).to.deep.equal({ i }));
    expect(byKey.get('never-written')?.data).to.equal(undefined);
  });

  it('the preferences round trip through preferences-service', async () => {
    const user = uniqueId('user');
    userIds.push(user);
    const put = await invoke<{ etag: string }>(APPS.sample, APPS.preferences, `preferences/${user}`, {
      method: 'PUT',
      json: { language: 'fr' },
    });
    expect(put.status, put.text).to.equal(200);
    const got = await invoke<{ value: { language: string }; etag: string }>(APPS.sample, APPS.preferences, `preferences/${user}`);
    expect(got.body.value).to.deep.equal({ language: 'fr' });
    expect((await invoke(APPS.sample, APPS.preferences, `preferences/${user}`, { method: 'DELETE' })).status).to.be.oneOf([200, 204]);
    expect((await invoke(APPS.sample, APPS.preferences, `preferences/${user}`)).status).to.equal(404);
  });

  it("two instances of preferences-service see each other's writes", async function () {
    const instances = instancesOf(APPS.preferences).length;
    expect(
      instances,
      `the deployment runs ${instances} instance(s) of ${APPS.preferences}: run 2 (replicas: 2) to check that instances share state`,
    ).to.be.at.least(2);
    if (!appUrlOf(APPS.preferences, 1))
      skipBecause(this, 'not-observable', `this target does not expose the app address of ${APPS.preferences}'s second instance`);
    const user = uniqueId('shared');
    userIds.push(user);
    const first = appUrlOf(APPS.preferences, 0) as string;
    const second = appUrlOf(APPS.preferences, 1) as string;
    const a = await http<{ instance: string }>(`${first}/whoami`);
    const b = await http<{ instance: string }>(`${second}/whoami`);
    expect(a.body.instance).not.to.equal(b.body.instance);
    expect((await http(`${first}/preferences/${user}`, { method: 'PUT', json: { tz: 'UTC' } })).status).to.equal(200);
    const read = await http<{ value: { tz: string } }>(`${second}/preferences/${user}`);
    expect(read.status).to.equal(200);
    expect(read.body.value).to.deep.equal({ tz: 'UTC' });
  });

  it('concurrent updates with the same ETag: exactly one wins, the other gets a conflict', async function () {
    const user = uniqueId('etag');
    userIds.push(user);
    const put = await invoke<{ etag: string }>(APPS.sample, APPS.preferences, `preferences/${user}`, { method: 'PUT', json: { v: 0 } });
    const etag = put.body.etag;
    const attempts = await Promise.all(
      [1, 2].map((v) =>
        invoke(APPS.sample, APPS.preferences, `preferences/${user}`, { method: 'PUT', json: { v }, headers: { 'if-match': etag } }),
      ),
    );
    const statuses = attempts.map((r) => r.status).sort();
    measure(this, 'statuses', statuses.join(','));
    expect(statuses).to.deep.equal([200, 409]);
    const stale = await invoke(APPS.sample, APPS.preferences, `preferences/${user}`, {
      method: 'PUT',
      json: { v: 3 },
      headers: { 'if-match': etag },
    });
    expect(stale.status, 'a stale ETag conflicts').to.equal(409);
  });

  it('a transaction is atomic: all of it applies, or none of it', async function () {
    const [a, b, c, guarded] = [key('tx'), key('tx'), key('tx'), key('tx')];
    const ok = await http(`${state()}/transaction`, {
      method: 'POST',
      json: {
        operations: [
          { operation: 'upsert', request: { key: a, value: 1 } },
          { operation: 'upsert', request: { key: b, value: 2 } },
        ],
      },
    });
    expect(ok.status, ok.text).to.equal(204);
    expect((await http(`${state()}/${a}`)).body).to.equal(1);
    expect((await http(`${state()}/${b}`)).body).to.equal(2);
    await http(state(), { method: 'POST', json: [{ key: guarded, value: 'x' }] });
    // The second operation carries a wrong ETag, so the whole transaction must fail and `c` must not appear.
    const bad = await http(`${state()}/transaction`, {
      method: 'POST',
      json: {
        operations: [
          { operation: 'upsert', request: { key: c, value: 3 } },
          { operation: 'upsert', request: { key: guarded, value: 'y', etag: '999999', options: { concurrency: 'first-write' } } },
        ],
      },
    });
    expect(bad.status, 'the transaction with a stale ETag fails').to.be.greaterThanOrEqual(400);
    expect((await http(`${state()}/${guarded}`)).body).to.equal('x');
    const applied = (await http(`${state()}/${c}`)).status === 200;
    measure(this, 'failedTransactionApplied', applied);
    // state.redis queues a transaction's operations in MULTI/EXEC, which has no rollback. That stays a failure
    // here; known-deviations.yaml acknowledges it for state.redis, so the run shows it apart instead of hiding it.
    expect(applied, `no part of a failed transaction applies: ${c} was written although the transaction failed`).to.equal(false);
  });

  it('an item saved with ttlInSeconds expires', async function () {
    const k = key('ttl');
    await http(state(), { method: 'POST', json: [{ key: k, value: 'short-lived', metadata: { ttlInSeconds: '1' } }] });
    expect((await http(`${state()}/${k}`)).status).to.equal(200);
    const started = Date.now();
    await poll(`expiry of ${k}`, async () => ((await http(`${state()}/${k}`)).status === 204 ? true : undefined), {
      timeoutMs: 6000,
      intervalMs: 250,
    });
    measure(this, 'expiredAfterMs', Date.now() - started);
  });

  it('consistency and concurrency options are accepted', async () => {
    const k = key('consistency');
    const save = await http(state(), {
      method: 'POST',
      json: [{ key: k, value: 1, options: { consistency: 'strong', concurrency: 'last-write' } }],
    });
    expect(save.status, save.text).to.equal(204);
    const got = await http(`${state()}/${k}?consistency=strong`);
    expect(got.status).to.equal(200);
    const eventual = await http(`${state()}/${k}?consistency=eventual`);
    expect(eventual.status).to.equal(200);
  });
});
