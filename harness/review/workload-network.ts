import { annotation, containers, podLabels, sameNamespace, selects, type Resource } from './resources';
import type { ReviewContext } from './rule';
import type { YamlNode } from './yaml-node';

/**
 * How a Dapr workload is wired to the network, from its pod template and the Services and NetworkPolicies
 * reviewed with it.
 */

/** `dapr.io/env` ("A=1,B=2") and `dapr.io/env-from-secret` ("A=secret:key,B=secret") as name → written value. */
export function sidecarEnv(workload: Resource): Map<string, string> {
  const out = new Map<string, string>();
  for (const key of ['dapr.io/env', 'dapr.io/env-from-secret']) {
    for (const pair of (annotation(workload, key)?.str() ?? '').split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) out.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  return out;
}

export function hasApiToken(workload: Resource): boolean {
  return Boolean(annotation(workload, 'dapr.io/api-token-secret')?.str()) || sidecarEnv(workload).has('DAPR_API_TOKEN');
}

export function hasAppToken(workload: Resource): boolean {
  return Boolean(annotation(workload, 'dapr.io/app-token-secret')?.str()) || sidecarEnv(workload).has('APP_API_TOKEN');
}

/** A port reference (number, or a container port's name) as a number. */
export function resolvePort(workload: Resource, ref: YamlNode | undefined): number | undefined {
  const text = ref?.str();
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  for (const c of containers(workload)) {
    for (const p of c.get('ports')?.items() ?? []) {
      if (p.get('name')?.str() === text) return p.get('containerPort')?.num();
    }
  }
  return undefined;
}

/** Services reviewed alongside that select the workload's pods. */
export function servicesOf(ctx: ReviewContext, workload: Resource): Resource[] {
  const labels = podLabels(workload);
  return ctx.of('Service').filter((svc) => {
    const selector = svc.root.at('spec', 'selector');
    return sameNamespace(svc, workload) && (selector?.entries().length ?? 0) > 0 && selects(selector, labels);
  });
}

/** The ports a Service sends traffic to, each with the port item it was written at. */
export function serviceTargets(
  svc: Resource,
  workload: Resource,
): Array<{ port: number | undefined; name: string | undefined; node: YamlNode }> {
  return (svc.root.at('spec', 'ports')?.items() ?? []).map((node) => {
    const ref = node.get('targetPort') ?? node.get('port');
    return { port: resolvePort(workload, ref), name: ref?.str(), node };
  });
}

/** Whether a NetworkPolicy reviewed alongside limits who may connect to `port` of the workload's pods. */
export function confinedByNetworkPolicy(ctx: ReviewContext, workload: Resource, port: number): boolean {
  const labels = podLabels(workload);
  return ctx.of('NetworkPolicy').some((np) => {
    if (!sameNamespace(np, workload)) return false;
    const podSelector = np.root.at('spec', 'podSelector');
    // matchExpressions are not evaluated here; such a policy does not count as confining.
    if (podSelector?.has('matchExpressions') || !selects(podSelector?.get('matchLabels'), labels)) return false;
    const types = (np.root.at('spec', 'policyTypes')?.items() ?? []).map((t) => t.str());
    // Ingress is always among the policy types unless policyTypes is given without it.
    if (types.length > 0 && !types.includes('Ingress')) return false;
    const opensToAll = (np.root.at('spec', 'ingress')?.items() ?? []).some((rule) => {
      if (rule.has('from')) return false;
      const ports = rule.get('ports')?.items() ?? [];
      return ports.length === 0 || ports.some((p) => resolvePort(workload, p.get('port')) === port);
    });
    return !opensToAll;
  });
}
