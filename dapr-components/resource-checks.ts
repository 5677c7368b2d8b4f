import { jetStreamStreams } from '../harness/targets/local/render-resources';
import type { DaprResource } from '../harness/targets/local/dapr-resources';
import { HarnessError } from '../harness/errors/harness-error';
import { formatFinding, parseResiliencyObject, resolvePolicies } from '../harness/resiliency';

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
  problems.push(...checkResiliency(resources, apps));

  for (const r of resources) {
    const where = `${r.kind} ${r.name}`;
    if (r.kind === 'Component') problems.push(...checkComponent(r, where));
    if (r.kind === 'Configuration') problems.push(...checkConfiguration(r, where, apps));
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
    if (!p.appId || !apps.has(p.appId))
      out.push(`${where}: access policy for ${p.appId ?? '(no appId)'}, which is not an app of the run file`);
    // Dapr refuses an access control list whose policies lack either, and then no sidecar starts.
    if (!p.trustDomain) out.push(`${where}: access policy for ${p.appId} needs trustDomain`);
    if (!p.namespace) out.push(`${where}: access policy for ${p.appId} needs namespace`);
  }
  return out;
}

/**
 * Resiliency documents are checked by the same model the chaos probes derive their expectations from
 * (harness/resiliency), so the committed files and the probes can never disagree about what a policy means:
 * a load error (an undefined policy, a bad duration or trip) and every warning it finds are problems here.
 */
function checkResiliency(resources: DaprResource[], apps: Set<string>): string[] {
  const docs = resources.filter((r) => r.kind === 'Resiliency');
  if (docs.length === 0) return [];
  const components = resources
    .filter((r) => r.kind === 'Component')
    .map((r) => ({ name: r.name, type: spec(r).type as string, scopes: scopes(r) }));
  try {
    const parsed = docs.map((r) => parseResiliencyObject(r.body, `Resiliency ${r.name}`));
    const { findings } = resolvePolicies(parsed, { appIds: [...apps], components });
    return findings.filter((f) => f.severity === 'warning').map(formatFinding);
  } catch (err) {
    if (err instanceof HarnessError) return [err.oneLine()];
    throw err;
  }
}

function checkSubscription(r: DaprResource, where: string, components: Map<string, string>): string[] {
  const out: string[] = [];
  const s = spec(r) as { pubsubname?: string; topic?: string; routes?: { default?: string; rules?: unknown[] }; route?: string };
  if (!s.pubsubname || !components.get(s.pubsubname)?.startsWith('pubsub.'))
    out.push(`${where}: pubsubname ${s.pubsubname} is not a pub/sub component`);
  if (!s.topic) out.push(`${where}: topic is required`);
  if (!s.routes?.default && !s.route && (s.routes?.rules ?? []).length === 0)
    out.push(`${where}: no route: Dapr would not know where to deliver`);
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
