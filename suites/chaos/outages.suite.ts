import { poll } from '../../harness/process/wait/poll';
import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { serverOf } from '../support/component-server';
import { brokerOutageProbe, publishRecoveryWindowMs } from '../support/broker-outage-probe';
import { http } from '../support/http';
import { stateOutageProbe } from '../support/outage-probes';
import { APPS, PUBSUB, sidecarUrl, STATE_STORE } from '../support/sut';

/** Seconds: well within every client's reconnect budget (the long outage beyond it is a probe of its own). */
const SHORT_OUTAGE_MS = 8000;

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

  it("state calls fail with a clear error while the state store's server is down, no sooner and no later than the policy's bounds, and succeed after it restarts", async function () {
    this.timeout(120_000);
    const store = serverOf(STATE_STORE, 'redis');
    if (!store) return skipBecause(this, 'not-observable', "this target gives the harness no control over the state store's server");
    const result = await stateOutageProbe({ sidecar: APPS.tasks, store: STATE_STORE, dependency: store });
    measure(this, 'failedAfterMs', result.observed.failedAfterMs ?? -1);
    measure(this, 'recoveryMs', result.observed.recoveryMs ?? -1);
  });

  it("no acknowledged publish is lost when the pub/sub's broker restarts mid-traffic", async function () {
    this.timeout(180_000);
    const broker = serverOf(PUBSUB, 'nats');
    if (!broker) return skipBecause(this, 'not-observable', "this target gives the harness no control over the broker's server");
    const result = await brokerOutageProbe({
      probe: 'broker restart loses no acknowledged publish',
      broker,
      outageMs: SHORT_OUTAGE_MS,
      afterRestartMs: publishRecoveryWindowMs(),
    });
    measure(this, 'acknowledged', result.observed.acknowledged ?? -1);
    measure(this, 'acknowledgedAfterRestart', result.observed.acknowledgedAfterRestartCount ?? -1);
    measure(this, 'refused', result.observed.refused ?? -1);
  });
});
