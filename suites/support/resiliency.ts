import { deployment } from '../../harness/suite-runner/suite-context';
import {
  effectivePolicy,
  parseGoDuration,
  parseResiliencyDocuments,
  resolvePolicies,
  type EffectivePolicy,
  type ResolvedResiliency,
} from '../../harness/resiliency';

/** The deployment's Resiliency documents resolved against its apps and components, as daprd applies them. */
export function resolvedResiliency(): ResolvedResiliency {
  const d = deployment();
  const docs = parseResiliencyDocuments((d.resources ?? []).filter((r) => r.kind === 'Resiliency').map((r) => r.body));
  const scopes = new Map(
    (d.resources ?? []).filter((r) => r.kind === 'Component').map((r) => [r.name, (r.body.scopes as string[] | undefined) ?? []]),
  );
  return resolvePolicies(docs, {
    appIds: [...new Set(d.apps.map((a) => a.appId))],
    components: d.components.map((c) => ({ ...c, scopes: scopes.get(c.name) ?? [] })),
  });
}

/** What `caller`'s sidecar applies to calls to `callee`. */
export function appPolicy(caller: string, callee: string): EffectivePolicy {
  return effectivePolicy(resolvedResiliency(), { sidecar: caller, app: callee });
}

export function componentPolicy(sidecar: string, component: string, direction: 'inbound' | 'outbound'): EffectivePolicy {
  return effectivePolicy(resolvedResiliency(), { sidecar, component, direction });
}

/**
 * How long the broker behind a pub/sub component waits before it redelivers a message the sidecar handed back,
 * read from the component's own metadata; undefined where the harness cannot tell.
 */
export function brokerRedeliveryMs(component: string): number | undefined {
  const doc = (deployment().resources ?? []).find((r) => r.kind === 'Component' && r.name === component);
  const spec = doc?.body.spec as { type?: string; metadata?: Array<{ name?: string; value?: unknown }> } | undefined;
  // Dapr's JetStream component answers a failed delivery with NakWithDelay(ackWait), or a bare Nak without one.
  if (spec?.type !== 'pubsub.jetstream') return undefined;
  const ackWait = spec.metadata?.find((m) => m.name === 'ackWait')?.value;
  if (ackWait === undefined) return 0;
  const parsed = parseGoDuration(String(ackWait));
  return parsed.ok ? parsed.ms : undefined;
}
