import { poll } from '../../harness/process/wait/poll';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { ChaosResult } from '../../harness/results/results-model';
import type { DependencyControl } from '../../harness/targets/deployment';
import { chaosProbe } from './chaos-probe';
import { componentPolicy } from './resiliency';
import { http, uniqueId } from './http';
import { APPS, ledgerOf, PUBSUB, resetLedgers, sidecarUrl, SUBSCRIBERS } from './sut';

export interface BrokerOutage {
  probe: string;
  broker: DependencyControl;
  /** How long the broker stays down. */
  outageMs: number;
  /** How long traffic goes on after the restart: the time the client has to reconnect. */
  afterRestartMs: number;
  /** Why the outage lasts that long, for the record (e.g. the client's reconnect budget). */
  why?: string;
}

/**
 * How long publishing may take to come back once the broker is back, from the publisher's outbound policy: its
 * circuit breaker may have opened during the outage and lets one trial through per open period, each trial bounded
 * by the publish timeout; twice, since the first trial may still meet a client that is reconnecting.
 */
export function publishRecoveryWindowMs(): number {
  const policy = componentPolicy(APPS.tasks, PUBSUB, 'outbound');
  return 2 * ((policy.circuitBreaker?.timeoutMs ?? 0) + (policy.timeout?.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS));
}

/** Where no timeout policy bounds a publish: the probe's own request timeout. */
const DEFAULT_PUBLISH_TIMEOUT_MS = 60_000;
const LEAD_MS = 2000;
const INTERVAL_MS = 200;
/** How long a subscriber may take to receive every acknowledged publish once traffic has ended. */
const DRAIN_MS = 60_000;

/**
 * Publishes on a fixed schedule while the broker is stopped and started again, then checks that every
 * acknowledged publish reached every subscriber (none lost, duplicates counted), that the outage was real
 * (publishes refused) and that publishing works again after the restart.
 */
export function brokerOutageProbe(o: BrokerOutage): Promise<ChaosResult> {
  return chaosProbe(
    { probe: o.probe, target: `${APPS.tasks} → ${PUBSUB} (${o.broker.kind}) → ${SUBSCRIBERS['task.created'].join(', ')}` },
    async (record) => {
      await resetLedgers(SUBSCRIBERS['task.created']);
      const publish = `${sidecarUrl(APPS.tasks)}/v1.0/publish/${PUBSUB}/task.created`;
      const acknowledged: string[] = [];
      const acknowledgedAfterRestart: string[] = [];
      let refused = 0;
      let firstAckAfterRestart: number | undefined;
      // Publishes go out on a fixed schedule whatever the answers take, so a slow failure cannot stretch the
      // outage: the broker is down from LEAD_MS to LEAD_MS + outageMs, then traffic goes on for afterRestartMs.
      const totalMs = LEAD_MS + o.outageMs + o.afterRestartMs;
      let restartedAt = Infinity;
      let stoppedForReal = false;
      const inFlight: Promise<void>[] = [];
      const outage = (async () => {
        await sleep(LEAD_MS);
        await o.broker.stop();
        // undefined: the target cannot tell; stop() returned, so it is taken as stopped.
        stoppedForReal = o.broker.running !== true;
        await sleep(o.outageMs);
        await o.broker.start();
        restartedAt = Date.now();
      })();
      const started = Date.now();
      for (let i = 0; i < totalMs / INTERVAL_MS; i++) {
        const eventId = uniqueId('outage-pub');
        inFlight.push(
          http(publish, { method: 'POST', json: { eventId, publishedAt: Date.now() }, timeoutMs: 60_000 })
            .then((res) => {
              if (res.status !== 204) {
                refused++;
                return;
              }
              acknowledged.push(eventId);
              const now = Date.now();
              if (now > restartedAt) {
                acknowledgedAfterRestart.push(eventId);
                firstAckAfterRestart ??= now - restartedAt;
              }
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
          { timeoutMs: DRAIN_MS, intervalMs: 1000 },
        ).catch(() => undefined);
        lost[appId] = missing.length;
      }
      const totalLost = Object.values(lost).reduce((a, b) => a + b, 0);
      if (o.why) record.note(o.why);
      record.observe('acknowledged', acknowledged.length);
      record.observe('outageMs', o.outageMs);
      record.observe('afterRestartMs', o.afterRestartMs);
      record.observe('firstAckAfterRestartMs', firstAckAfterRestart ?? 'none');
      for (const [k, v] of Object.entries(duplicates)) record.observe(`duplicates.${k}`, v);
      for (const [k, v] of Object.entries(lost)) record.equal(`lost.${k}`, 0, v);
      record.equal('lost', 0, totalLost);
      // The outage is real when the broker's process is gone; whether publishes were refused meanwhile says how the
      // client rode it out (a NATS client buffers them and a JetStream publish is acknowledged after the restart).
      record.equal('brokerStopped', 'yes', stoppedForReal ? 'yes' : 'no', `${o.broker.kind} was stopped for the outage`);
      record.equal(
        'acknowledgedAfterRestart',
        'some',
        acknowledgedAfterRestart.length > 0 ? 'some' : 'none',
        `publishes succeed again within ${Math.round(o.afterRestartMs / 1000)} s after ${o.broker.kind} restarts`,
      );
      record.observe('acknowledgedAfterRestartCount', acknowledgedAfterRestart.length);
      record.observe('refused', refused);
    },
  );
}
