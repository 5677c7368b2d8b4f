import { expect } from 'chai';
import type { Deployment } from '../../harness/targets/deployment';
import { sharedDeployment } from '../support/shared-deployment';
import { recording, samplesOf } from './support/k6-runtime/recorder';
import { callK6, loadK6Script, resetRuntime, type K6Module } from './support/k6-script';
import { K6_DIR } from './support/k6-paths';
import { evaluateThresholds, type Verdict } from './support/threshold-evaluation';
import { join } from 'node:path';

/**
 * The k6 scripts' requests and teardown against the real local deployment (daprd, Redis, NATS JetStream, the
 * reference services): their URLs, bodies and ledger reading are what Dapr and the services expect, and their
 * thresholds pass on a healthy deployment and fail when a subscriber drops events or an app refuses calls.
 */
const SUBSCRIBER_IDS = ['notification-service', 'audit-service', 'analytics-service'];

describe('k6 scripts against the local reference deployment', function () {
  this.timeout(240_000);
  let d: Deployment;

  before(async function () {
    d = await sharedDeployment();
  });

  const appUrl = (appId: string): string => {
    const url = d.apps.find((a) => a.appId === appId && a.instance === 0)?.appUrl;
    if (!url) throw new Error(`the local target exposes no address for ${appId}`);
    return url;
  };
  const auth = (): Record<string, string> => (d.apiToken ? { DAPR_API_TOKEN: d.apiToken } : {});
  const failed = (v: Verdict[]): string[] => v.filter((x) => !x.passed).map((x) => x.key);

  async function control(appId: string, method: string, path: string, body?: unknown): Promise<void> {
    const res = await fetch(`${appUrl(appId)}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status, `${method} ${path} on ${appId}`).to.equal(200);
  }

  describe('pubsub.ts', function () {
    const EVENTS_PER_VU = 12;
    const VUS = 2;

    async function runPubsub(): Promise<{ mod: K6Module; verdicts: Verdict[] }> {
      resetRuntime();
      const env = {
        ...auth(),
        DAPR_HTTP: d.sidecar('task-service').httpUrl,
        SUBSCRIBERS: SUBSCRIBER_IDS.map(
          (id) =>
            `${id}=${d.apps
              .filter((a) => a.appId === id)
              .map((a) => a.appUrl)
              .join('|')}`,
        ).join(','),
        DRAIN: '20s',
      };
      // As in k6, setup and teardown run in an instance of their own, and each VU has its own module state.
      const main = await loadK6Script(join(K6_DIR, 'pubsub.ts'), env);
      const vus = await Promise.all(Array.from({ length: VUS }, () => loadK6Script(join(K6_DIR, 'pubsub.ts'), env)));
      const data = callK6(() => (main.setup as () => unknown)());
      for (let i = 0; i < EVENTS_PER_VU * VUS; i++) {
        const vu = i % VUS;
        callK6(() => (vus[vu]?.default as (data: unknown) => void)(data), { scenario: 'publish', vu: vu + 1, iteration: i });
      }
      callK6(() => (main.teardown as (data: unknown) => void)(data));
      return { mod: main, verdicts: evaluateThresholds(main.options?.thresholds ?? {}, recording.samples, recording.declared) };
    }

    it('publishes through task-service’s sidecar and finds every event in every subscriber’s ledger', async function () {
      const { verdicts } = await runPubsub();
      expect(
        samplesOf('pubsub_publish_success_rate').every((s) => s.value === 1),
        'every publish acknowledged',
      ).to.equal(true);
      for (const id of SUBSCRIBER_IDS) {
        expect(
          samplesOf('pubsub_delivered', { subscriber: id }).map((s) => s.value),
          id,
        ).to.deep.equal([EVENTS_PER_VU * VUS]);
        expect(
          samplesOf('pubsub_lost', { subscriber: id }).map((s) => s.value),
          id,
        ).to.deep.equal([0]);
        expect(samplesOf('pubsub_e2e_latency', { subscriber: id }), id).to.have.length(EVENTS_PER_VU * VUS);
      }
      expect(failed(verdicts)).to.deep.equal([]);
      // delivery and latency per subscriber, and publish success once
      expect(verdicts).to.have.length(2 * SUBSCRIBER_IDS.length + 1);
    });

    describe('when notification-service drops deliveries', function () {
      before(async function () {
        await control('notification-service', 'POST', '/faults/pubsub', { topic: 'task.created', mode: 'DROP', count: 4 });
      });
      after(async function () {
        await control('notification-service', 'DELETE', '/faults');
      });

      it('reports them lost for that subscriber only, and its delivery threshold fails', async function () {
        const { verdicts } = await runPubsub();
        const lost = samplesOf('pubsub_lost', { subscriber: 'notification-service' })[0]?.value ?? 0;
        expect(lost).to.be.within(1, 4);
        for (const id of ['audit-service', 'analytics-service'])
          expect(
            samplesOf('pubsub_lost', { subscriber: id }).map((s) => s.value),
            id,
          ).to.deep.equal([0]);
        expect(failed(verdicts)).to.deep.equal(['pubsub_delivery_rate{subscriber:notification-service}']);
      });
    });
  });

  describe('invoke.ts', function () {
    async function runInvoke(iterations: number): Promise<Verdict[]> {
      resetRuntime();
      // Apps that answer only their sidecar take the baseline only with the app API token (the deployment's).
      const appToken: Record<string, string> = d.appApiToken ? { APP_API_TOKEN: d.appApiToken } : {};
      const mod = await loadK6Script(join(K6_DIR, 'invoke.ts'), {
        ...auth(),
        ...appToken,
        DAPR_HTTP: d.sidecar('task-service').httpUrl,
        APP_URL: appUrl('sample-app'),
        TIMEOUT: '10s',
      });
      for (let i = 0; i < iterations; i++) {
        callK6(() => (mod.baseline as () => void)(), { scenario: 'baseline', iteration: i });
        callK6(() => (mod.throughDapr as () => void)(), { scenario: 'dapr', iteration: i });
      }
      return evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared);
    }

    it('reaches sample-app straight and through task-service’s sidecar', async function () {
      const verdicts = await runInvoke(5);
      expect(samplesOf('invoke_baseline_success_rate').map((s) => s.value)).to.deep.equal([1, 1, 1, 1, 1]);
      expect(samplesOf('invoke_success_rate').map((s) => s.value)).to.deep.equal([1, 1, 1, 1, 1]);
      expect(failed(verdicts)).to.deep.equal([]);
    });

    describe('when sample-app refuses calls', function () {
      after(async function () {
        await control('sample-app', 'DELETE', '/faults');
      });

      it('fails invoke_success_rate', async function () {
        // Ten refusals: the five baseline calls and the five through Dapr, which has no retry policy for sample-app.
        await control('sample-app', 'POST', '/faults/calls', { count: 10, status: 500 });
        const verdicts = await runInvoke(5);
        expect(samplesOf('invoke_errors_by_kind', { kind: 'http_500' })).to.have.length(5);
        expect(failed(verdicts)).to.deep.equal(['invoke_success_rate']);
      });
    });
  });

  describe('state.ts', function () {
    it('saves, reads and deletes through preferences-service’s sidecar, then removes the run’s keys', async function () {
      resetRuntime();
      const sidecar = d.sidecar('preferences-service').httpUrl;
      const mod = await loadK6Script(join(K6_DIR, 'state.ts'), { ...auth(), DAPR_HTTP: sidecar, KEYS: '4' });
      const data = callK6(() => (mod.setup as () => { runId: string })());
      for (let i = 0; i < 4; i++) callK6(() => (mod.save as (x: unknown) => void)(data), { scenario: 'save', iteration: i });
      for (let i = 0; i < 4; i++) callK6(() => (mod.get as (x: unknown) => void)(data), { scenario: 'get', iteration: i });
      callK6(() => (mod.remove as (x: unknown) => void)(data), { scenario: 'delete', iteration: 0 });
      const stored = await fetch(`${sidecar}/v1.0/state/statestore/${data.runId}-1`, {
        headers: d.apiToken ? { 'dapr-api-token': d.apiToken } : {},
      });
      expect(stored.status, 'a saved key is there before teardown').to.equal(200);
      callK6(() => (mod.teardown as (x: unknown) => void)(data));

      expect(failed(evaluateThresholds(mod.options?.thresholds ?? {}, recording.samples, recording.declared))).to.deep.equal([]);
      expect(recording.checks).to.deep.include({ name: 'every key of the run deleted', passed: true });
      const gone = await fetch(`${sidecar}/v1.0/state/statestore/${data.runId}-1`, {
        headers: d.apiToken ? { 'dapr-api-token': d.apiToken } : {},
      });
      expect(gone.status, 'teardown deleted the key').to.equal(204);
    });
  });
});
