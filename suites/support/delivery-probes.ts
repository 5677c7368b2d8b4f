import { poll } from '../../harness/process/wait/poll';
import { describeExpectation, expectedDeliveries } from '../../harness/resiliency';
import type { ChaosResult } from '../../harness/results/results-model';
import { chaosProbe } from './chaos-probe';
import { http } from './http';
import { brokerRedeliveryMs, componentPolicy } from './resiliency';
import { appUrlOf, ledgerOf } from './sut';
import { TIMING_TOLERANCE_MS } from './invocation-probes';

/** A subscriber of one topic, and a way to publish one event to it. */
export interface DeliverySite {
  subscriber: string;
  pubsub: string;
  topic: string;
  /** Publishes one event on the topic; resolves with its eventId once the publish is acknowledged. */
  publish(): Promise<string>;
}

export async function faultDeliveries(appId: string, fault: { topic: string; mode: 'RETRY' | 'DROP'; count: number }): Promise<void> {
  const url = appUrlOf(appId);
  if (!url) throw new Error(`fault injection on ${appId} needs its app URL, which this target does not expose`);
  const res = await http(`${url}/faults/pubsub`, { method: 'POST', json: fault });
  if (res.status !== 200) throw new Error(`POST ${url}/faults/pubsub answered ${res.status}: ${res.text}`);
}

/**
 * The subscriber refuses the first deliveries with RETRY: the inbound policy of the subscriber's sidecar decides
 * whether the sidecar redelivers (after the retry's waits) or the broker does (after its redelivery delay), and so
 * how long processing takes; every delivery reaches the app, the last one processed.
 */
export function retryDeliveryProbe(site: DeliverySite, options: { failures?: number; probe?: string } = {}): Promise<ChaosResult> {
  return chaosProbe(
    { probe: options.probe ?? 'subscriber RETRY is redelivered and processed', target: `${site.pubsub} → ${site.subscriber}` },
    async (record) => {
      const policy = componentPolicy(site.subscriber, site.pubsub, 'inbound');
      record.policy = describeExpectation(policy);
      const failures = options.failures ?? 2;
      const redeliveryMs = brokerRedeliveryMs(site.pubsub);
      const expected = expectedDeliveries(policy, {
        failures,
        ...(redeliveryMs !== undefined ? { brokerRedeliveryMs: redeliveryMs } : {}),
      });
      record.expected.injected = `${failures} RETRY answers`;
      record.expected.redeliveredBy = expected.retriedBy;
      // The window starts at the publish acknowledgement, a little before the first delivery, so only the upper
      // bound needs room: delivery latency and scheduling, once per delivery round.
      const tolerance = TIMING_TOLERANCE_MS * (expected.brokerRedeliveries + 1);
      await faultDeliveries(site.subscriber, { topic: site.topic, mode: 'RETRY', count: failures });
      const eventId = await site.publish();
      const started = Date.now();
      const timeoutMs = expected.elapsedMs.max + tolerance + 30_000;
      const processed = await poll(
        `processing of ${eventId} after ${failures} RETRY answers`,
        async () => {
          const ledger = await ledgerOf(site.subscriber, { eventId, topic: site.topic });
          return ledger.entries.find((e) => !e.duplicate);
        },
        { timeoutMs, intervalMs: 100 },
      );
      const elapsed = Date.now() - started;
      record.equal('deliveries', expected.deliveries, processed.attempt);
      record.within(
        'msToProcess',
        { min: expected.elapsedMs.min, max: expected.elapsedMs.max + tolerance },
        elapsed,
        `${expected.brokerRedeliveries} broker redelivery(ies)${redeliveryMs !== undefined ? ` of ${redeliveryMs} ms` : ''}`,
      );
      record.tolerance.msToProcess = tolerance;
    },
  );
}
