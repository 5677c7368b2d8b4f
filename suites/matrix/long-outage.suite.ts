import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { brokerOutageProbe, publishRecoveryWindowMs } from '../support/broker-outage-probe';
import { serverOf } from '../support/component-server';
import { longOutageMs } from '../support/reconnect-budget';
import { PUBSUB } from '../support/sut';

describe('matrix: pub/sub beyond its reconnect budget', () => {
  it("publishing recovers and no acknowledged publish is lost after a broker outage longer than the client's reconnect budget", async function () {
    const component = (deployment().resources ?? []).find((r) => r.kind === 'Component' && r.name === PUBSUB);
    const spec = component?.body.spec as { type?: string; metadata?: { name: string; value?: unknown }[] } | undefined;
    const broker = serverOf(PUBSUB, 'nats');
    if (!broker || !spec?.type)
      return skipBecause(this, 'not-observable', "this target gives the harness no control over the broker's server");
    const metadata = Object.fromEntries((spec.metadata ?? []).map((m) => [m.name, m.value]));
    const outage = longOutageMs(spec.type, metadata);
    const afterRestartMs = publishRecoveryWindowMs();
    this.timeout(outage.ms + afterRestartMs + 180_000);
    const result = await brokerOutageProbe({
      probe: "broker outage beyond the client's reconnect budget",
      broker,
      outageMs: outage.ms,
      afterRestartMs,
      why: outage.why,
    });
    measure(this, 'outageMs', outage.ms);
    measure(this, 'acknowledged', result.observed.acknowledged ?? -1);
    measure(this, 'firstAckAfterRestartMs', result.observed.firstAckAfterRestartMs ?? 'none');
  });
});
