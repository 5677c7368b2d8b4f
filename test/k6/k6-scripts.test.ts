import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sent } from './support/k6-runtime/http';
import { recording, samplesOf } from './support/k6-runtime/recorder';
import { callK6, loadK6Script, resetRuntime, scenarioFunction, type K6Module } from './support/k6-script';
import { K6_DIR } from './support/k6-paths';
import { evaluateThresholds } from './support/threshold-evaluation';
import { WorkerHttpServer } from './support/worker-http-server';

/** The scripts' own logic, run in Node against loopback servers: settings, requests, metrics, teardown. */
const script = (name: string): string => join(K6_DIR, name);

async function load(name: string, env: Record<string, string> = {}): Promise<K6Module> {
  resetRuntime();
  return loadK6Script(script(name), env);
}

function fn(mod: K6Module, name: string): (data?: unknown) => unknown {
  const f = mod[name];
  if (typeof f !== 'function') throw new Error(`the script exports no function ${name}`);
  return f as (data?: unknown) => unknown;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function ms(duration: unknown): number {
  const m = /^(\d+)ms$/.exec(String(duration));
  if (!m) throw new Error(`expected a duration in ms, got ${String(duration)}`);
  return Number(m[1]);
}

describe('k6 scripts: behaviour', function () {
  this.timeout(30_000);

  describe('settings', function () {
    const cases: { script: string; env: Record<string, string>; error: RegExp }[] = [
      {
        script: 'invoke.ts',
        env: { RATE: 'fast' },
        error: /^K6_BAD_SETTING: RATE="fast" is not a whole number of at least 1 · set it like -e RATE=1000$/,
      },
      {
        script: 'invoke.ts',
        env: { DAPR_HTTP: '127.0.0.1:3500' },
        error:
          /^K6_BAD_SETTING: DAPR_HTTP="127\.0\.0\.1:3500" is not an http\(s\) URL · set it like -e DAPR_HTTP=http:\/\/127\.0\.0\.1:3500$/,
      },
      { script: 'invoke.ts', env: { BASELINE: 'no' }, error: /^K6_BAD_SETTING: BASELINE="no" is not on or off/ },
      {
        script: 'pubsub.ts',
        env: { SUBSCRIBERS: 'notification-service' },
        error:
          /^K6_BAD_SETTING: SUBSCRIBERS="notification-service" is not a list of app-id=url\[\|url…\] \(bad entry "notification-service"\) · set it like -e SUBSCRIBERS=notification-service=http/,
      },
      {
        script: 'pubsub.ts',
        env: { SUBSCRIBERS: 'a=http://127.0.0.1:1,a=http://127.0.0.1:2' },
        error: /a list naming each app once \(a twice\)/,
      },
      { script: 'pubsub.ts', env: { DRAIN: '30' }, error: /^K6_BAD_SETTING: DRAIN="30" is not a duration · set it like -e DRAIN=30s$/ },
      {
        script: 'state.ts',
        env: { PRE_ALLOCATED_VUS: '50', MAX_VUS: '10' },
        error: /^K6_BAD_SETTING: MAX_VUS="10" is not at least PRE_ALLOCATED_VUS \(50\)/,
      },
      {
        script: 'autoscale.ts',
        env: { STAGES: '1m-100' },
        error: /^K6_BAD_SETTING: STAGES="1m-100" is not a list of duration:rate \(bad stage "1m-100"\) · set it like -e STAGES=1m:100,/,
      },
      {
        script: 'autoscale.ts',
        env: { K8S_API: 'https://127.0.0.1:6443', K8S_TOKEN_FILE: '/nonexistent/token' },
        error: /^K6_K8S_TOKEN_MISSING: cannot read \/nonexistent\/token for https:\/\/127\.0\.0\.1:6443 · /s,
      },
    ];
    for (const c of cases) {
      it(`${c.script} refuses ${Object.entries(c.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} in one line that names the fix`, async function () {
        let error: unknown;
        try {
          await load(c.script, c.env);
        } catch (err) {
          error = err;
        }
        expect(error, 'init refuses the setting').to.be.instanceOf(Error);
        const message = (error as Error).message;
        expect(message).to.match(c.error);
        expect(message.split('\n')).to.have.length(1);
      });
    }

    it('reads k6 durations: compound, fractional and in milliseconds', async function () {
      const mod = await load('invoke.ts', { BASELINE: 'off', WARMUP: '0', DURATION: '1m30s', TIMEOUT: '1.5s' });
      expect(mod.options?.scenarios?.dapr).to.deep.include({ duration: '90000ms', gracefulStop: '1500ms', startTime: '0ms' });
      const state = await load('state.ts', { WARMUP: '250ms', DURATION: '2h' });
      expect(state.options?.scenarios?.save_warmup).to.deep.include({ duration: '250ms' });
      expect(state.options?.scenarios?.save).to.deep.include({ duration: '7200000ms', startTime: '250ms' });
    });

    it('every scenario of every script runs a function the script exports', async function () {
      const variants: [string, Record<string, string>][] = [
        ['invoke.ts', {}],
        ['invoke.ts', { BASELINE: 'off' }],
        ['pubsub.ts', {}],
        ['state.ts', {}],
        ['state.ts', { WARMUP: '0' }],
        ['autoscale.ts', {}],
        ['autoscale.ts', { K8S_API: 'http://127.0.0.1:8001' }],
      ];
      for (const [name, env] of variants) {
        const mod = await load(name, env);
        const scenarios = Object.keys(mod.options?.scenarios ?? {});
        expect(scenarios.length, name).to.be.above(0);
        for (const s of scenarios) expect(() => scenarioFunction(mod, s), `${name} ${s}`).to.not.throw();
      }
    });
  });

  describe('invoke.ts', function () {
    let server: WorkerHttpServer;
    before(async function () {
      server = await WorkerHttpServer.start([{ method: 'POST', path: '*', status: 200, body: { ok: true } }]);
    });
    after(async function () {
      await server.stop();
    });

    it('runs the baseline, then the Dapr path, each after its warm-up and never overlapping', async function () {
      const mod = await load('invoke.ts', { DURATION: '30s', WARMUP: '5s', TIMEOUT: '10s' });
      const s = mod.options?.scenarios ?? {};
      expect(Object.keys(s)).to.deep.equal(['baseline_warmup', 'baseline', 'dapr_warmup', 'dapr']);
      const window = (name: string): [number, number] => [ms(s[name]?.startTime), ms(s[name]?.startTime) + ms(s[name]?.duration)];
      expect(window('baseline_warmup')).to.deep.equal([0, 5_000]);
      expect(window('baseline')).to.deep.equal([5_000, 35_000]);
      // The next path starts once the last baseline request has had its whole timeout (the graceful stop).
      expect(window('dapr_warmup')).to.deep.equal([45_000, 50_000]);
      expect(window('dapr')).to.deep.equal([50_000, 80_000]);
      for (const name of Object.keys(s))
        expect(s[name]).to.include({ executor: 'constant-arrival-rate', rate: 1000, timeUnit: '1s', gracefulStop: '10000ms' });
    });

    it('sends 1 KB straight to the app and through the sidecar, the API token to the sidecar only', async function () {
      const mod = await load('invoke.ts', { APP_URL: server.url, DAPR_HTTP: server.url, DAPR_API_TOKEN: 's3cret' });
      await server.takeRequests();
      callK6(() => fn(mod, 'baseline')(), { scenario: 'baseline' });
      callK6(() => fn(mod, 'throughDapr')(), { scenario: 'dapr' });
      const [direct, dapr] = await server.takeRequests();
      expect(direct).to.deep.include({ method: 'POST', path: '/echo/load' });
      expect(direct?.headers).to.not.have.property('dapr-api-token');
      expect(Buffer.byteLength(direct?.body ?? '')).to.equal(1024);
      expect(JSON.parse(direct?.body ?? '')).to.have.property('data');
      expect(dapr).to.deep.include({ method: 'POST', path: '/v1.0/invoke/sample-app/method/echo/load' });
      expect(dapr?.headers).to.include({ 'dapr-api-token': 's3cret', 'content-type': 'application/json' });
      expect(samplesOf('invoke_success_rate').map((x) => [x.value, x.tags.path])).to.deep.equal([[1, 'dapr']]);
      expect(samplesOf('invoke_baseline_success_rate').map((x) => [x.value, x.tags.path])).to.deep.equal([[1, 'direct']]);
      expect(samplesOf('invoke_latency')).to.have.length(1);
    });

    it('presents the app API token on the baseline only, for apps that answer only their sidecar', async function () {
      const mod = await load('invoke.ts', {
        APP_URL: server.url,
        DAPR_HTTP: server.url,
        DAPR_API_TOKEN: 'for-daprd',
        APP_API_TOKEN: 'for-the-app',
      });
      await server.takeRequests();
      callK6(() => fn(mod, 'baseline')(), { scenario: 'baseline' });
      callK6(() => fn(mod, 'throughDapr')(), { scenario: 'dapr' });
      const [direct, dapr] = await server.takeRequests();
      expect(direct?.headers['dapr-api-token']).to.equal('for-the-app');
      expect(dapr?.headers['dapr-api-token']).to.equal('for-daprd');
    });

    it('records nothing during a warm-up', async function () {
      const mod = await load('invoke.ts', { APP_URL: server.url, DAPR_HTTP: server.url });
      callK6(() => fn(mod, 'throughDapr')(), { scenario: 'dapr_warmup' });
      expect(recording.samples).to.deep.equal([]);
      expect(await server.takeRequests()).to.have.length(1);
    });

    it('counts refusals and broken connections against invoke_success_rate, which then fails its threshold', async function () {
      const refusing = await WorkerHttpServer.start([{ method: 'POST', path: '*', status: 503, body: { error: 'down' } }]);
      try {
        const mod = await load('invoke.ts', { DAPR_HTTP: refusing.url, TIMEOUT: '2s' });
        for (let i = 0; i < 3; i++) callK6(() => fn(mod, 'throughDapr')(), { scenario: 'dapr', iteration: i });
        expect(samplesOf('invoke_errors_by_kind', { kind: 'http_503' }).map((x) => x.value)).to.deep.equal([1, 1, 1]);
        expect(samplesOf('invoke_latency'), 'an HTTP error is still an answer').to.have.length(3);
      } finally {
        await refusing.stop();
      }
      const gone = await load('invoke.ts', { DAPR_HTTP: `http://127.0.0.1:${await closedPort()}`, TIMEOUT: '2s' });
      callK6(() => fn(gone, 'throughDapr')(), { scenario: 'dapr' });
      expect(samplesOf('invoke_success_rate').map((x) => x.value)).to.deep.equal([0]);
      expect(samplesOf('invoke_latency'), 'a broken exchange has no latency').to.have.length(0);
      expect(samplesOf('invoke_errors_by_kind')[0]?.tags.kind).to.match(/^transport_\d+$/);
      const verdicts = evaluateThresholds(gone.options?.thresholds ?? {}, recording.samples, recording.declared);
      expect(verdicts).to.deep.equal([{ key: 'invoke_success_rate', threshold: 'rate>=0.999', measured: 0, passed: false }]);
    });
  });

  describe('pubsub.ts', function () {
    let pubsub: K6Module;
    type Reconcile = (
      runId: string,
      reads: unknown[],
      lateAfterMs: number,
    ) => {
      subscriber: string;
      acknowledged: number;
      delivered: number;
      lost: number;
      duplicates: number;
      late: number;
      latenciesMs: number[];
    }[];
    const entry = (
      eventId: string,
      publishedAt: number | null,
      receivedAt: number,
    ): { eventId: string; publishedAt: number | null; receivedAt: number } => ({ eventId, publishedAt, receivedAt });
    const read = (subscriber: string, entries: ReturnType<typeof entry>[]): unknown => ({
      subscriber,
      entries,
      unreadable: [],
      evicted: 0,
    });

    before(async function () {
      pubsub = await load('pubsub.ts');
    });

    it('reconciles each ledger against every sequence number any ledger proves acknowledged', function () {
      const reconcile = pubsub.reconcile as Reconcile;
      const run = 'k6-r1';
      const results = reconcile(
        run,
        [
          // VU 1 published 0..3; VU 2 published 0..1.
          read('a', [
            entry(`${run}.1.0`, 100, 150),
            entry(`${run}.1.1`, 200, 1_500),
            entry(`${run}.1.3`, 400, 420),
            entry(`${run}.2.0`, 100, 110),
            entry(`${run}.2.1`, 300, 305),
            entry(`${run}.2.1`, 300, 900),
          ]),
          read('b', [entry(`${run}.1.0`, 100, 120), entry(`${run}.2.1`, 300, 310), entry('k6-other.1.9', 1, 2), entry(`${run}.x.1`, 1, 2)]),
        ],
        1000,
      );
      const [a, b] = results;
      // 1.2 reached nobody, yet 1.3 proves it was acknowledged: both subscribers lost it.
      expect(a).to.deep.include({ subscriber: 'a', acknowledged: 6, delivered: 5, lost: 1, duplicates: 1, late: 1 });
      expect([...(a?.latenciesMs ?? [])].sort((x, y) => x - y)).to.deep.equal([5, 10, 20, 50, 1_300]);
      expect(b).to.deep.include({ subscriber: 'b', acknowledged: 6, delivered: 2, lost: 4, duplicates: 0, late: 0 });
    });

    it('takes the earliest of duplicate deliveries for latency and skips entries without a publish time', function () {
      const reconcile = pubsub.reconcile as Reconcile;
      const [r] = reconcile(
        'k6-r2',
        [read('a', [entry('k6-r2.1.0', 1_000, 1_900), entry('k6-r2.1.0', 1_000, 1_050), entry('k6-r2.1.1', null, 5_000)])],
        500,
      );
      expect(r).to.deep.include({ acknowledged: 2, delivered: 2, lost: 0, duplicates: 1, late: 0 });
      expect(r?.latenciesMs).to.deep.equal([50]);
    });

    it('cannot see the last events of a VU that no subscriber received (the documented blind spot)', function () {
      const reconcile = pubsub.reconcile as Reconcile;
      const [r] = reconcile('k6-r3', [read('a', [entry('k6-r3.1.0', 1, 2)])], 1000);
      expect(r).to.deep.include({ acknowledged: 1, delivered: 1, lost: 0 });
    });

    it('gives teardown() the drain plus a last round of ledger reads', async function () {
      const mod = await load('pubsub.ts', {
        SUBSCRIBERS: 'a=http://127.0.0.1:9001|http://127.0.0.1:9002,b=http://127.0.0.1:9003',
        DRAIN: '30s',
      });
      expect(mod.options?.teardownTimeout).to.equal(`${30_000 + 2 * 60_000 * 3}ms`);
    });

    it('refuses to start when a ledger cannot be read', async function () {
      const port = await closedPort();
      const mod = await load('pubsub.ts', { SUBSCRIBERS: `audit-service=http://127.0.0.1:${port}` });
      expect(() => callK6(() => (mod.setup as () => unknown)())).to.throw(
        new RegExp(
          `^K6_LEDGER_UNREACHABLE: audit-service's ledger at http://127\\.0\\.0\\.1:${port}/ledger\\?topic=task\\.created&limit=0 answered .+ · point SUBSCRIBERS at each subscriber app's own address`,
        ),
      );
    });

    it('numbers the acknowledged events of each VU without gaps, retrying a refused number', async function () {
      const sidecar = await WorkerHttpServer.start([{ method: 'POST', path: '/v1.0/publish/pubsub/task.created', status: 204 }]);
      try {
        const mod = await load('pubsub.ts', { DAPR_HTTP: sidecar.url });
        const publish = mod.default as (data: unknown) => void;
        const data = { runId: 'k6-seq' };
        callK6(() => publish(data), { scenario: 'publish', vu: 7 });
        await sidecar.setRoutes([{ method: 'POST', path: '*', status: 500, body: { errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' } }]);
        callK6(() => publish(data), { scenario: 'publish', vu: 7 });
        await sidecar.setRoutes([{ method: 'POST', path: '*', status: 204 }]);
        callK6(() => publish(data), { scenario: 'publish', vu: 7 });
        callK6(() => publish(data), { scenario: 'publish', vu: 7 });
        const bodies = (await sidecar.takeRequests()).map((r) => JSON.parse(r.body) as { eventId: string; publishedAt: number });
        expect(bodies.map((b) => b.eventId)).to.deep.equal(['k6-seq.7.0', 'k6-seq.7.1', 'k6-seq.7.1', 'k6-seq.7.2']);
        for (const b of bodies) expect(b.publishedAt).to.be.a('number');
        expect(samplesOf('pubsub_publish_success_rate').map((x) => x.value)).to.deep.equal([1, 0, 1, 1]);
        expect(samplesOf('pubsub_publish_errors_by_kind').map((x) => x.tags.kind)).to.deep.equal(['http_500']);
      } finally {
        await sidecar.stop();
      }
    });

    it('teardown() records per-subscriber delivery, and a ledger it cannot read loses everything', async function () {
      const run = 'k6-td';
      const ledger = await WorkerHttpServer.start([
        {
          method: 'GET',
          path: '/ledger',
          status: 200,
          body: {
            total: 3,
            evicted: 0,
            entries: [entry(`${run}.1.0`, 1_000, 1_010), entry(`${run}.1.1`, 1_000, 1_020), entry(`${run}.1.1`, 1_000, 1_030)],
          },
        },
      ]);
      const port = await closedPort();
      try {
        const mod = await load('pubsub.ts', { SUBSCRIBERS: `good=${ledger.url},gone=http://127.0.0.1:${port}`, DRAIN: '1s' });
        callK6(() => (mod.teardown as (d: unknown) => void)({ runId: run }));
        expect(samplesOf('pubsub_delivery_rate', { subscriber: 'good' }).map((x) => x.value)).to.deep.equal([1, 1]);
        expect(samplesOf('pubsub_delivery_rate', { subscriber: 'gone' }).map((x) => x.value)).to.deep.equal([0, 0]);
        expect(samplesOf('pubsub_duplicates', { subscriber: 'good' }).map((x) => x.value)).to.deep.equal([1]);
        expect(
          samplesOf('pubsub_e2e_latency', { subscriber: 'good' })
            .map((x) => x.value)
            .sort(),
        ).to.deep.equal([10, 20]);
        expect(recording.checks).to.deep.include({ name: 'ledger of gone readable', passed: false });
        expect(recording.logs.map((l) => l.text).join('\n')).to.match(/could not read gone's ledger/);
        const verdicts = evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared);
        // teardown alone published nothing, so publish success is unmeasured, which fails like any unmeasured criterion
        expect(verdicts.filter((v) => !v.passed).map((v) => v.key)).to.deep.equal([
          'pubsub_publish_success_rate',
          'pubsub_delivery_rate{subscriber:gone}',
        ]);
        const asked = await ledger.takeRequests();
        expect(asked[0]).to.deep.include({ method: 'GET', path: '/ledger', query: 'topic=task.created' });
      } finally {
        await ledger.stop();
      }
    });

    it('teardown() with nothing delivered anywhere leaves the delivery thresholds without data, so they fail', async function () {
      const empty = await WorkerHttpServer.start([
        { method: 'GET', path: '/ledger', status: 200, body: { total: 0, evicted: 0, entries: [] } },
      ]);
      try {
        const mod = await load('pubsub.ts', { SUBSCRIBERS: `a=${empty.url}`, DRAIN: '1s' });
        callK6(() => (mod.teardown as (d: unknown) => void)({ runId: 'k6-none' }));
        const verdict = evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared).find(
          (v) => v.key === 'pubsub_delivery_rate{subscriber:a}',
        );
        expect(verdict?.passed).to.equal(false);
        expect(Number.isNaN(verdict?.measured)).to.equal(true);
        expect(recording.logs.map((l) => l.text).join('\n')).to.match(/no event of run k6-none reached any subscriber/);
      } finally {
        await empty.stop();
      }
    });
  });

  describe('state.ts', function () {
    it('saves, reads and deletes the run’s keys, each operation its own series, and teardown deletes them all', async function () {
      const sidecar = await WorkerHttpServer.start([
        { method: 'POST', path: '/v1.0/state/statestore', status: 204 },
        { method: 'GET', path: '/v1.0/state/statestore/*', status: 204 },
        { method: 'DELETE', path: '/v1.0/state/statestore/*', status: 204 },
      ]);
      try {
        const mod = await load('state.ts', { DAPR_HTTP: sidecar.url, KEYS: '7', PAYLOAD_BYTES: '64' });
        const data = callK6(() => (mod.setup as () => { runId: string })());
        callK6(() => fn(mod, 'save')(data), { scenario: 'save', iteration: 9 });
        callK6(() => fn(mod, 'get')(data), { scenario: 'get', iteration: 2 });
        callK6(() => fn(mod, 'remove')(data), { scenario: 'delete', iteration: 14 });
        const [save, get, remove] = await sidecar.takeRequests();
        expect(JSON.parse(save?.body ?? '')).to.deep.equal([{ key: `${data.runId}-2`, value: 'v'.repeat(32) }]);
        expect(get).to.deep.include({ method: 'GET', path: `/v1.0/state/statestore/${data.runId}-2` });
        expect(remove).to.deep.include({ method: 'DELETE', path: `/v1.0/state/statestore/${data.runId}-0` });
        for (const op of ['save', 'get', 'delete'])
          expect(
            samplesOf('state_success_rate', { operation: op }).map((x) => x.value),
            op,
          ).to.deep.equal([1]);

        callK6(() => (mod.teardown as (d: unknown) => void)(data));
        const cleanup = await sidecar.takeRequests();
        expect(cleanup.map((r) => `${r.method} ${r.path}`)).to.deep.equal(
          [0, 1, 2, 3, 4, 5, 6].map((n) => `DELETE /v1.0/state/statestore/${data.runId}-${n}`),
        );
        expect(recording.checks).to.deep.include({ name: 'every key of the run deleted', passed: true });
        expect(evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared).every((v) => v.passed)).to.equal(
          true,
        );
      } finally {
        await sidecar.stop();
      }
    });

    it('fails the operation whose calls fail, and only that one', async function () {
      const sidecar = await WorkerHttpServer.start([
        { method: 'POST', path: '/v1.0/state/statestore', status: 500, body: { errorCode: 'ERR_STATE_SAVE' } },
        { method: 'GET', path: '/v1.0/state/statestore/*', status: 200, body: 'v' },
        { method: 'DELETE', path: '/v1.0/state/statestore/*', status: 204 },
      ]);
      try {
        const mod = await load('state.ts', { DAPR_HTTP: sidecar.url });
        const data = { runId: 'k6-fail' };
        for (const [exec, scenario] of [
          ['save', 'save'],
          ['get', 'get'],
          ['remove', 'delete'],
        ])
          callK6(() => fn(mod, exec as string)(data), { scenario });
        const failed = evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared).filter((v) => !v.passed);
        expect(failed.map((v) => v.key)).to.deep.equal(['state_success_rate{operation:save}']);
        expect(samplesOf('state_errors_by_kind', { operation: 'save', kind: 'http_500' })).to.have.length(1);
      } finally {
        await sidecar.stop();
      }
    });
  });

  describe('autoscale.ts', function () {
    const DEPLOYMENT = '/apis/apps/v1/namespaces/dapr-harness/deployments/sample-app';

    it('ramps through the given stages and watches replicas for exactly as long', async function () {
      const mod = await load('autoscale.ts', { STAGES: '30s:100,1m:500,30s:0', START_RATE: '5', K8S_API: 'http://127.0.0.1:8001' });
      const s = mod.options?.scenarios ?? {};
      expect(s.ramp).to.deep.include({ executor: 'ramping-arrival-rate', startRate: 5, timeUnit: '1s' });
      expect(s.ramp?.stages).to.deep.equal([
        { duration: '30000ms', target: 100 },
        { duration: '60000ms', target: 500 },
        { duration: '30000ms', target: 0 },
      ]);
      expect(s.replicas).to.deep.include({ executor: 'constant-vus', vus: 1, duration: '120000ms', exec: 'watchReplicas' });
      expect(Object.keys((await load('autoscale.ts')).options?.scenarios ?? {})).to.deep.equal(['ramp']);
    });

    it('records the peak replica count the Deployment reached, and fails below 50', async function () {
      const api = await WorkerHttpServer.start();
      try {
        const mod = await load('autoscale.ts', { K8S_API: api.url, POLL: '1ms' });
        const watch = fn(mod, 'watchReplicas');
        for (const [replicas, ready] of [
          [3, 1],
          [7, 5],
          [5, 5],
        ]) {
          await api.setRoutes([
            {
              method: 'GET',
              path: DEPLOYMENT,
              status: 200,
              body: { metadata: { name: 'sample-app' }, status: { replicas, readyReplicas: ready } },
            },
          ]);
          callK6(() => watch(), { scenario: 'replicas' });
        }
        expect(samplesOf('autoscale_max_replicas').map((x) => x.value)).to.deep.equal([3, 7, 7]);
        expect(samplesOf('autoscale_replicas', { deployment: 'sample-app', namespace: 'dapr-harness' }).map((x) => x.value)).to.deep.equal([
          3, 7, 5,
        ]);
        expect(samplesOf('autoscale_ready_replicas').map((x) => x.value)).to.deep.equal([1, 5, 5]);
        const requests = await api.takeRequests();
        expect(requests.map((r) => r.path)).to.deep.equal([DEPLOYMENT, DEPLOYMENT, DEPLOYMENT]);
        expect(requests[0]?.headers, 'no token for a plain-http API (kubectl proxy)').to.not.have.property('authorization');
        expect(evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared)).to.deep.equal([
          { key: 'autoscale_max_replicas', threshold: 'value>=50', measured: 7, passed: false },
        ]);

        await api.setRoutes([]);
        callK6(() => watch(), { scenario: 'replicas' });
        expect(recording.checks.at(-1)).to.deep.equal({ name: 'deployment dapr-harness/sample-app readable', passed: false });
        expect(recording.logs.at(-1)?.text).to.match(/answered 404; check K8S_API/);
      } finally {
        await api.stop();
      }
    });

    it('reads the service account token for an https API server', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'k6-token-'));
      try {
        writeFileSync(join(dir, 'token'), 'tok-123\n');
        const port = await closedPort();
        const mod = await load('autoscale.ts', {
          K8S_API: `https://127.0.0.1:${port}`,
          K8S_TOKEN_FILE: join(dir, 'token'),
          K8S_INSECURE_SKIP_TLS_VERIFY: 'true',
          POLL: '1ms',
        });
        expect(mod.options?.insecureSkipTLSVerify).to.equal(true);
        // Nothing listens there: what matters is what the watcher sent.
        callK6(() => fn(mod, 'watchReplicas')(), { scenario: 'replicas' });
        expect(sent.at(-1)).to.deep.include({ method: 'GET', url: `https://127.0.0.1:${port}${DEPLOYMENT}` });
        expect(sent.at(-1)?.headers).to.deep.equal({ authorization: 'Bearer tok-123' });
        expect((await load('autoscale.ts')).options?.insecureSkipTLSVerify).to.equal(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
