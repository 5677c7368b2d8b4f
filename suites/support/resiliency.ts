import { deployment } from '../../harness/suites/suite-context';
import { effectivePolicy, parseResiliencyDocuments, resolvePolicies, type EffectivePolicy, type ResolvedResiliency } from '../../harness/resiliency';

/** The deployment's Resiliency documents resolved against its apps and components, as daprd applies them. */
export function resolvedResiliency(): ResolvedResiliency {
  const d = deployment();
  const docs = parseResiliencyDocuments((d.resources ?? []).filter((r) => r.kind === 'Resiliency').map((r) => r.body));
  const scopes = new Map((d.resources ?? []).filter((r) => r.kind === 'Component').map((r) => [r.name, (r.body.scopes as string[] | undefined) ?? []]));
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
