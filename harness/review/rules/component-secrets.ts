import { runFileApps } from '../multi-app-run';
import { annotation, containers, isDaprEnabled, type Resource } from '../resources';
import { headOf, type Hit, type ReviewContext, type Rule } from '../rule';
import { hasUrlCredentials, isSecretName } from '../secret-names';
import type { YamlNode } from '../yaml-node';

/** Never the value itself: findings end up in logs, reports and code-scanning alerts. */
function literal(name: string, value: string): string {
  return `${name} has a literal value (${value.length} characters, not shown)`;
}

function literalSecret(name: string, value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '' && (isSecretName(name) || hasUrlCredentials(value));
}

/** `- name: x / value: y` lists (component metadata, HTTPEndpoint headers, container env). */
function namedValueHits(resource: Resource, items: YamlNode[], where: string): Hit[] {
  return items.flatMap((item): Hit[] => {
    const name = item.get('name')?.str() ?? '';
    const value = item.get('value');
    if (!value || item.has('secretKeyRef') || item.has('valueFrom') || item.has('envRef') || !literalSecret(name, value.str())) return [];
    return [{ resource, at: value, message: `${resource.label}: ${where} ${literal(name, value.str() ?? '')}` }];
  });
}

export const plaintextSecret: Rule = {
  id: 'plaintext-secret',
  family: 'secrets',
  severity: 'high',
  title: 'a credential is written in plain text (component metadata, HTTPEndpoint header, sidecar or app environment)',
  why: 'whoever can read the file, the repository or the resource in the cluster has the credential, and it cannot be rotated without changing the file',
  fix: 'move the value into a secret store and reference it with secretKeyRef (components, HTTPEndpoints), valueFrom.secretKeyRef (containers) or dapr.io/env-from-secret (sidecars)',
  check(ctx) {
    const hits: Hit[] = [];
    for (const r of ctx.of('Component')) hits.push(...namedValueHits(r, r.root.at('spec', 'metadata')?.items() ?? [], 'metadata'));
    for (const r of ctx.of('HTTPEndpoint')) hits.push(...namedValueHits(r, r.root.at('spec', 'headers')?.items() ?? [], 'header'));
    for (const w of ctx.of('Workload').filter(isDaprEnabled)) {
      for (const c of containers(w))
        hits.push(...namedValueHits(w, c.get('env')?.items() ?? [], `container ${c.get('name')?.str() ?? ''} env`));
      const sidecarEnv = annotation(w, 'dapr.io/env');
      for (const pair of (sidecarEnv?.str() ?? '').split(',')) {
        const eq = pair.indexOf('=');
        const [name, value] = eq > 0 ? [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()] : ['', ''];
        if (literalSecret(name, value))
          hits.push({ resource: w, at: sidecarEnv, message: `${w.label}: dapr.io/env ${literal(name, value)}` });
      }
    }
    for (const r of ctx.of('MultiAppRun')) {
      for (const app of runFileApps(r)) {
        for (const [name, node] of app.env()) {
          if (literalSecret(name, node.str()))
            hits.push({ resource: r, at: node, message: `${app.appId}: env ${literal(name, node.str() ?? '')}` });
        }
      }
    }
    // An env entry in `common:` is seen once per app; report it once.
    const seen = new Set<string>();
    return hits.filter((h) => {
      const key = `${h.resource.file}:${h.at?.line}:${h.message.replace(/^[^:]*: /, '')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
};

const isSecretStore = (r: Resource): boolean => (r.root.at('spec', 'type')?.str() ?? '').startsWith('secretstores.');
const scoped = (r: Resource): boolean => (r.root.get('scopes')?.items().length ?? 0) > 0;
const nameLine = (r: Resource): YamlNode => r.root.at('metadata', 'name') ?? headOf(r);

/** A Configuration's spec.secrets.scopes entry that limits which secrets of `store` apps may read. */
function restrictedByConfiguration(ctx: ReviewContext, store: string): boolean {
  return ctx
    .of('Configuration')
    .some((c) =>
      (c.root.at('spec', 'secrets', 'scopes')?.items() ?? []).some(
        (s) =>
          s.get('storeName')?.str() === store &&
          (s.get('defaultAccess')?.str()?.toLowerCase() === 'deny' || (s.get('allowedSecrets')?.items().length ?? 0) > 0),
      ),
    );
}

export const secretStoreUnscoped: Rule = {
  id: 'secretstore-unscoped',
  family: 'secrets',
  severity: 'high',
  title: 'a secret store is open to every app',
  why: 'with no scopes every app in the namespace loads the store, and with no secrets scope in a Configuration each of them may read every secret in it',
  fix: 'add scopes: [the app ids that need it], and a Configuration spec.secrets.scopes entry with defaultAccess: deny and allowedSecrets',
  check(ctx) {
    return ctx
      .of('Component')
      .filter(isSecretStore)
      .flatMap((r): Hit[] =>
        scoped(r) || restrictedByConfiguration(ctx, r.name)
          ? []
          : [
              {
                resource: r,
                at: nameLine(r),
                message: `${r.label} (${r.root.at('spec', 'type')?.str()}) has no scopes and no Configuration limits its secrets`,
              },
            ],
      );
  },
};

export const componentUnscoped: Rule = {
  id: 'component-unscoped',
  family: 'secrets',
  severity: 'medium',
  title: 'a component has no scopes, so every app in its namespace loads it',
  why: 'each app that loads a component holds its credentials and can use it: read and write any key of a state store, publish to any topic of a pub/sub',
  fix: 'add scopes: listing the app ids that use the component',
  check(ctx) {
    return ctx
      .of('Component')
      .filter((r) => !isSecretStore(r) && !scoped(r))
      .map((r): Hit => ({ resource: r, at: nameLine(r), message: `${r.label} has no scopes` }));
  },
};

export const COMPONENT_SECRET_RULES = [plaintextSecret, secretStoreUnscoped, componentUnscoped];
