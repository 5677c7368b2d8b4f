import type { Deployment } from '../../harness/targets/deployment';

interface JszConsumer {
  num_pending?: number;
  num_ack_pending?: number;
  config?: { deliver_group?: string; durable_name?: string; filter_subject?: string; filter_subjects?: string[] };
}
interface Jsz {
  account_details?: { stream_detail?: { consumer_detail?: JszConsumer[] | null }[] | null }[] | null;
}

/**
 * What JetStream still holds for each subscribing app on `subject`, from NATS's monitoring endpoint (/jsz): per
 * consumer, the messages not yet delivered (num_pending) plus those delivered but not acknowledged
 * (num_ack_pending), keyed by the consumer's queue group (the app id, pubsub.yaml's queueGroupName) or durable name.
 * An app with no consumer has nothing held for it: the broker will not deliver its missing events.
 */
export function heldPerSubscriber(jsz: Jsz, subject: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const account of jsz.account_details ?? []) {
    for (const stream of account.stream_detail ?? []) {
      for (const c of stream.consumer_detail ?? []) {
        const subjects = c.config?.filter_subjects ?? (c.config?.filter_subject ? [c.config.filter_subject] : []);
        if (!subjects.includes(subject)) continue;
        const group = c.config?.deliver_group ?? c.config?.durable_name;
        if (!group) continue;
        out.set(group, (out.get(group) ?? 0) + (c.num_pending ?? 0) + (c.num_ack_pending ?? 0));
      }
    }
  }
  return out;
}

/**
 * Asks the deployment's NATS, where it exposes a monitoring endpoint, what it holds per subscriber; undefined where
 * the deployment has none (the drain then judges by deliveries alone).
 */
export function brokerHeld(d: Deployment, subject: string): ((subscriber: string) => Promise<number | undefined>) | undefined {
  const monitor = d.dependencies.find((x) => x.kind === 'nats' && x.monitorUrl)?.monitorUrl;
  if (!monitor) return undefined;
  return async (subscriber) => {
    try {
      const res = await fetch(`${monitor}/jsz?consumers=true&config=true`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) return undefined;
      const body = (await res.json()) as Jsz;
      return heldPerSubscriber(body, subject).get(subscriber) ?? 0;
    } catch {
      return undefined;
    }
  };
}
