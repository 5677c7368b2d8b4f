import { jetStreamStreams } from '../harness/targets/local/render-resources';
import type { DaprResource } from '../harness/targets/local/dapr-resources';

/**
 * Cross-checks of the committed Dapr resources against each other and against the apps that use them: what Dapr
 * itself accepts silently but then ignores or mis-applies (a resiliency target naming an app that does not exist,
 * a policy pointing at an undefined retry, a subscription scoped to nobody) or a secret committed in clear.
 * Returns one sentence per problem; an empty list means consistent.
 */
export function checkResources(resources: DaprResource[], appIds: string[]): string[] {
  const problems: string[] = [];
  const apps = new Set(appIds);
  const components = new Map(resources.filter((r) => r.kind === 'Component').map((r) => [r.name, spec(r).type as string]));

  for (const r of resources) {
    const where = `${r.kind} ${r.name}`;
    if (r.kind === 'Component') problems.push(...checkComponent(r, where));
    if (r.kind === 'Configuration') problems.push(...checkConfiguration(r, where, apps));
    if (r.kind === 'Resiliency') problems.push(...checkResiliency(r, where, apps, components));
    if (r.kind === 'Subscription') problems.push(...checkSubscription(r, where, components));
    for (const scope of scopes(r)) if (!apps.has(scope)) problems.push(`${where}: scope ${scope} is not an app of the run file`);
  }
  return problems;
}

const SECRET_NAME = /(password|secret|token|credential)/i;

function checkComponent(r: DaprResource, where: string): string[] {
  const out: string[] = [];
  const items = (spec(r).metadata as { name: string; value?: unknown; secretKeyRef?: unknown }[] | undefined) ?? [];
  for (const item of items) {
    if (SECRET_NAME.test(item.name) && item.value !== undefined && item.value !== '') {
      out.push(`${where}: ${item.name} is committed as a value; reference a secret with secretKeyRef instead`);
    }
  }
  if (spec(r).type === 'pubsub.jetstream') {
    // The same rule the local target applies when it creates the streams the component binds to.
    try {
      jetStreamStreams([r]);
    } catch (err) {
      out.push(`${where}: ${(err as Error).message.replace(/^.*?: /, '')}`);
    }
  }
  return out;
}

function checkConfiguration(r: DaprResource, where: string, apps: Set<string>): string[] {
  const out: string[] = [];
  const acl = spec(r).accessControl as { policies?: { appId?: string; trustDomain?: string; namespace?: string }[] } | undefined;
  for (const p of acl?.policies ?? []) {
    if (!p.appId || !apps.has(p.appId)) out.push(`${where}: access policy for ${p.appId ?? '(no appId)'}, which is not an app of the run file`);
    // Dapr refuses an access control list whose policies lack either, and then no sidecar starts.
    if (!p.trustDomain) out.push(`${where}: access policy for ${p.appId} needs trustDomain`);
    if (!p.namespace) out.push(`${where}: access policy for ${p.appId} needs namespace`);
  }
  return out;
}

interface PolicyRefs {
  timeout?: string;
  retry?: string;
  circuitBreaker?: string;
}

function checkResiliency(r: DaprResource, where: string, apps: Set<string>, components: Map<string, string>): string[] {
  const out: string[] = [];
  const policies = (spec(r).policies ?? {}) as { timeouts?: Record<string, unknown>; retries?: Record<string, unknown>; circuitBreakers?: Record<string, { trip?: unknown }> };
  const targets = (spec(r).targets ?? {}) as { apps?: Record<string, PolicyRefs>; components?: Record<string, { inbound?: PolicyRefs; outbound?: PolicyRefs }> };
  const refs = (target: string, p: PolicyRefs | undefined): void => {
    if (!p) return;
    if (p.timeout && !(p.timeout in (policies.timeouts ?? {})) && !/^\d+(ms|s|m|h)$/.test(p.timeout)) out.push(`${where}: ${target} uses timeout ${p.timeout}, which is not defined`);
    if (p.retry && !(p.retry in (policies.retries ?? {}))) out.push(`${where}: ${target} uses retry ${p.retry}, which is not defined`);
    if (p.circuitBreaker && !(p.circuitBreaker in (policies.circuitBreakers ?? {}))) out.push(`${where}: ${target} uses circuit breaker ${p.circuitBreaker}, which is not defined`);
  };
  for (const [app, p] of Object.entries(targets.apps ?? {})) {
    if (!apps.has(app)) out.push(`${where}: target app ${app} is not an app of the run file`);
    refs(`app ${app}`, p);
  }
  for (const [name, c] of Object.entries(targets.components ?? {})) {
    if (!components.has(name)) out.push(`${where}: target component ${name} is not defined`);
    refs(`component ${name} outbound`, c.outbound);
    refs(`component ${name} inbound`, c.inbound);
    if (c.inbound && components.has(name) && !components.get(name)?.startsWith('pubsub.')) out.push(`${where}: component ${name} has an inbound policy, which only pub/sub components use`);
  }
  for (const [name, cb] of Object.entries(policies.circuitBreakers ?? {})) {
    if (typeof cb.trip !== 'string' || cb.trip.trim() === '') out.push(`${where}: circuit breaker ${name} needs a trip expression, e.g. consecutiveFailures > 5`);
  }
  return out;
}

function checkSubscription(r: DaprResource, where: string, components: Map<string, string>): string[] {
  const out: string[] = [];
  const s = spec(r) as { pubsubname?: string; topic?: string; routes?: { default?: string; rules?: unknown[] }; route?: string };
  if (!s.pubsubname || !components.get(s.pubsubname)?.startsWith('pubsub.')) out.push(`${where}: pubsubname ${s.pubsubname} is not a pub/sub component`);
  if (!s.topic) out.push(`${where}: topic is required`);
  if (!s.routes?.default && !s.route && (s.routes?.rules ?? []).length === 0) out.push(`${where}: no route: Dapr would not know where to deliver`);
  // An unscoped declarative subscription applies to every app, which would make every app receive the topic.
  if (scopes(r).length === 0) out.push(`${where}: no scopes, so every app of the deployment would subscribe`);
  return out;
}

function spec(r: DaprResource): Record<string, unknown> {
  return (r.body.spec ?? {}) as Record<string, unknown>;
}

function scopes(r: DaprResource): string[] {
  const s = r.body.scopes;
  return Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
}
