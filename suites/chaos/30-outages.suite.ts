import { expect } from 'chai';
import { deployment, measure, recordChaos } from '../../harness/suites/suite-context';
import { describeExpectation, expectedAttempts, retryDelaysMs, timeoutMs } from '../../harness/resiliency';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { DependencyControl } from '../../harness/targets/deployment';
import { eventually, http, uniqueId } from '../support/http';
import { componentPolicy } from '../support/resiliency';
import { APPS, ledgerOf, PUBSUB, resetLedgers, sidecarUrl, STATE_STORE, SUBSCRIBERS } from '../support/sut';

function dependency(kind: string): DependencyControl | undefined {
  return deployment().dependencies.find((d) => d.kind === kind);
}

/** The longest a call may take before the policy gives up: every attempt timing out, plus every wait at its longest. */
function worstCaseMs(policy: ReturnType<typeof componentPolicy>): number {
  const attempts = expectedAttempts(policy.retry, { failures: 'persistent' });
  const perAttempt = timeoutMs(policy) ?? 30_000;
  const waits = attempts.max === Infinity ? [] : retryDelaysMs(policy.retry as NonNullable<typeof policy.retry>, attempts.max - 1);
  return attempts.max * perAttempt + waits.reduce((s, d) => s + d.maxMs, 0);
}

describe('chaos: component outages', () => {
  afterEach(async function () {
    this.timeout(90_000);
    // Whatever happened, the dependencies run again and the components' breakers have closed before the next test.
    for (const d of deployment().dependencies) if (d.running === false) await d.start();
    const publish = `${sidecarUrl(APPS.tasks)}/v1.0/publish/${PUBSUB}/harness.probe`;
    const state = `${sidecarUrl(APPS.tasks)}/v1.0/state/${STATE_STORE}`;
    await eventually('publish and state save work again', async () => {
      const p = await http(publish, { method: 'POST', json: { probe: true } });
      const s = await http(state, { method: 'POST', json: [{ key: 'chaos-settle', value: 1 }] });
      return p.status === 204 && s.status === 204 ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1000 });
  });

  it('state calls fail with a clear error while our redis-server is down, within the policy\'s bounds, and succeed after it restarts', async function () {
    this.timeout(120_000);
    const redis = dependency('redis');
    if (!redis) this.skip();
    const policy = componentPolicy(APPS.tasks, STATE_STORE, 'outbound');
    const bound = worstCaseMs(policy);
    const state = `${sidecarUrl(APPS.tasks)}/v1.0/state/${STATE_STORE}`;
    const key = uniqueId('outage');
    await redis?.stop();
    const started = Date.now();
    const during = await http<{ errorCode?: string; message?: string }>(state, { method: 'POST', json: [{ key, value: 1 }], timeoutMs: Math.ceil(bound) + 10_000 });
    const failedAfter = Date.now() - started;
    await redis?.start();
    const recoveredAt = Date.now();
    await eventually('a state save after the restart', async () => ((await http(state, { method: 'POST', json: [{ key, value: 2 }] })).status === 204 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500 });
    const recoveryMs = Date.now() - recoveredAt;
    await http(`${state}/${key}`, { method: 'DELETE' });
    const passed = during.status >= 500 && failedAfter <= bound + 1000 && typeof during.body.errorCode === 'string';
    recordChaos({
      probe: 'state store outage',
      target: `${APPS.tasks} → ${STATE_STORE} (redis)`,
      policy: describeExpectation(policy),
      expected: { status: '5xx', failWithinMs: bound, recovers: 'yes' },
      observed: { status: during.status, failedAfterMs: failedAfter, errorCode: during.body.errorCode ?? '', recoveryMs },
      tolerance: { failWithinMs: 1000 },
      passed,
    });
    measure(this, 'failedAfterMs', failedAfter);
    measure(this, 'recoveryMs', recoveryMs);
    expect(during.status, 'a save while redis is down').to.be.at.least(500);
    expect(during.body.errorCode, `Dapr names the failure: ${JSON.stringify(during.body)}`).to.match(/^ERR_/);
    expect(failedAfter, `gives up within the policy's worst case (${describeExpectation(policy)})`).to.be.at.most(bound + 1000);
  });

  it('no acknowledged publish is lost when our nats-server restarts mid-traffic', async function () {
    this.timeout(180_000);
    const nats = dependency('nats');
    if (!nats) this.skip();
    await resetLedgers(SUBSCRIBERS['task.created']);
    const publish = `${sidecarUrl(APPS.tasks)}/v1.0/publish/${PUBSUB}/task.created`;
    const acknowledged: string[] = [];
    const acknowledgedAfterRestart: string[] = [];
    let refused = 0;
    // Publishes go out on a fixed schedule whatever the answers take, so a slow failure cannot stretch the
    // outage: nats is down from 2 s to 2 s + OUTAGE_MS, then traffic goes on until the end.
    const OUTAGE_MS = 8000;
    const TOTAL_MS = OUTAGE_MS + 14_000;
    const INTERVAL_MS = 200;
    let restartedAt = Infinity;
    const inFlight: Promise<void>[] = [];
    const outage = (async () => {
      await sleep(2000);
      await nats?.stop();
      await sleep(OUTAGE_MS);
      await nats?.start();
      restartedAt = Date.now();
    })();
    const started = Date.now();
    for (let i = 0; i < TOTAL_MS / INTERVAL_MS; i++) {
      const eventId = uniqueId('outage-pub');
      inFlight.push(
        http(publish, { method: 'POST', json: { eventId, publishedAt: Date.now() }, timeoutMs: 60_000 })
          .then((res) => {
            if (res.status !== 204) {
              refused++;
              return;
            }
            acknowledged.push(eventId);
            if (Date.now() > restartedAt) acknowledgedAfterRestart.push(eventId);
          })
          .catch(() => void refused++),
      );
      await sleep(Math.max(0, started + (i + 1) * INTERVAL_MS - Date.now()));
    }
    await outage;
    await Promise.all(inFlight);
    // Drain: every acknowledged event must reach every subscriber of the topic.
    const lost: Record<string, number> = {};
    const duplicates: Record<string, number> = {};
    for (const appId of SUBSCRIBERS['task.created']) {
      let missing: string[] = acknowledged;
      await eventually(`${appId} receives every acknowledged publish`, async () => {
        const ledger = await ledgerOf(appId, { topic: 'task.created' });
        const seen = new Set(ledger.entries.map((e) => e.eventId));
        missing = acknowledged.filter((id) => !seen.has(id));
        duplicates[appId] = ledger.entries.filter((e) => acknowledged.includes(e.eventId) && e.duplicate).length;
        return missing.length === 0 ? true : undefined;
      }, { timeoutMs: 60_000, intervalMs: 1000 }).catch(() => undefined);
      lost[appId] = missing.length;
    }
    const totalLost = Object.values(lost).reduce((a, b) => a + b, 0);
    recordChaos({
      probe: 'broker restart loses no acknowledged publish',
      target: `${APPS.tasks} → ${PUBSUB} (nats) → ${SUBSCRIBERS['task.created'].join(', ')}`,
      expected: { lost: 0 },
      observed: { acknowledged: acknowledged.length, acknowledgedAfterRestart: acknowledgedAfterRestart.length, refused, lost: totalLost, outageMs: OUTAGE_MS, ...Object.fromEntries(Object.entries(lost).map(([k, v]) => [`lost.${k}`, v])), ...Object.fromEntries(Object.entries(duplicates).map(([k, v]) => [`duplicates.${k}`, v])) },
      passed: totalLost === 0 && acknowledgedAfterRestart.length > 0,
    });
    measure(this, 'acknowledged', acknowledged.length);
    measure(this, 'acknowledgedAfterRestart', acknowledgedAfterRestart.length);
    measure(this, 'refused', refused);
    expect(refused, 'publishes were refused while nats was down (the outage was real)').to.be.greaterThan(0);
    expect(acknowledgedAfterRestart.length, 'publishes succeed again after nats restarts').to.be.greaterThan(0);
    expect(lost, 'acknowledged publishes lost per subscriber').to.deep.equal(Object.fromEntries(SUBSCRIBERS['task.created'].map((a) => [a, 0])));
  });
});
