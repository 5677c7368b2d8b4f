import { poll } from '../../harness/process/wait/poll';
import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { DependencyControl } from '../../harness/targets/deployment';
import { chaosProbe } from '../support/chaos-probe';
import { http, uniqueId } from '../support/http';
import { stateOutageProbe } from '../support/outage-probes';
import { APPS, ledgerOf, PUBSUB, resetLedgers, sidecarUrl, STATE_STORE, SUBSCRIBERS } from '../support/sut';

function dependency(kind: string): DependencyControl | undefined {
  return deployment().dependencies.find((d) => d.kind === kind);
}

describe('chaos: component outages', () => {
  afterEach(async function () {
    this.timeout(90_000);
    // Whatever happened, the dependencies run again and the components' breakers have closed before the next test.
    for (const d of deployment().dependencies) if (d.running === false) await d.start();
    const publish = `${sidecarUrl(APPS.tasks)}/v1.0/publish/${PUBSUB}/harness.probe`;
    const state = `${sidecarUrl(APPS.tasks)}/v1.0/state/${STATE_STORE}`;
    await poll(
      'publish and state save work again',
      async () => {
        const p = await http(publish, { method: 'POST', json: { probe: true } });
        const s = await http(state, { method: 'POST', json: [{ key: 'chaos-settle', value: 1 }] });
        return p.status === 204 && s.status === 204 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
  });

  it("state calls fail with a clear error while our redis-server is down, no sooner and no later than the policy's bounds, and succeed after it restarts", async function () {
    this.timeout(120_000);
    const redis = dependency('redis');
    if (!redis) return skipBecause(this, 'not-observable', "this target gives the harness no control over the state store's server");
    const result = await stateOutageProbe({ sidecar: APPS.tasks, store: STATE_STORE, dependency: redis });
    measure(this, 'failedAfterMs', result.observed.failedAfterMs ?? -1);
    measure(this, 'recoveryMs', result.observed.recoveryMs ?? -1);
  });

  it('no acknowledged publish is lost when our nats-server restarts mid-traffic', async function () {
    this.timeout(180_000);
    const nats = dependency('nats');
    if (!nats) return skipBecause(this, 'not-observable', "this target gives the harness no control over the broker's server");
    await chaosProbe(
      {
        probe: 'broker restart loses no acknowledged publish',
        target: `${APPS.tasks} → ${PUBSUB} (nats) → ${SUBSCRIBERS['task.created'].join(', ')}`,
      },
      async (record) => {
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
          await nats.stop();
          await sleep(OUTAGE_MS);
          await nats.start();
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
          await poll(
            `${appId} receives every acknowledged publish`,
            async () => {
              const ledger = await ledgerOf(appId, { topic: 'task.created' });
              const seen = new Set(ledger.entries.map((e) => e.eventId));
              missing = acknowledged.filter((id) => !seen.has(id));
              duplicates[appId] = ledger.entries.filter((e) => acknowledged.includes(e.eventId) && e.duplicate).length;
              return missing.length === 0 ? true : undefined;
            },
            { timeoutMs: 60_000, intervalMs: 1000 },
          ).catch(() => undefined);
          lost[appId] = missing.length;
        }
        const totalLost = Object.values(lost).reduce((a, b) => a + b, 0);
        record.observe('acknowledged', acknowledged.length);
        record.observe('outageMs', OUTAGE_MS);
        for (const [k, v] of Object.entries(duplicates)) record.observe(`duplicates.${k}`, v);
        for (const [k, v] of Object.entries(lost)) record.equal(`lost.${k}`, 0, v);
        record.equal('lost', 0, totalLost);
        record.equal(
          'refusedDuringOutage',
          'some',
          refused > 0 ? 'some' : 'none',
          'publishes were refused while nats was down (the outage was real)',
        );
        record.equal(
          'acknowledgedAfterRestart',
          'some',
          acknowledgedAfterRestart.length > 0 ? 'some' : 'none',
          'publishes succeed again after nats restarts',
        );
        measure(this, 'acknowledged', acknowledged.length);
        measure(this, 'acknowledgedAfterRestart', acknowledgedAfterRestart.length);
        measure(this, 'refused', refused);
      },
    );
  });
});
