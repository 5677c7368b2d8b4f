import { usageError } from '../errors/harness-error';
import {
  allDefaultKeywords,
  builtInRetries,
  componentKind,
  defaultKeywords,
  defaultPolicyName,
  directionsOf,
  INBOUND_KINDS,
  isBuiltInRetryName,
  looksLikeDefaultName,
  parseDefaultPolicyName,
  PROTECTED_RETRY_NAMES,
  type BuiltInRetryName,
  type ComponentKind,
  type DefaultTarget,
  type Direction,
  type PolicyKind,
} from './built-in-policies';
import type { CircuitBreakerPolicy, RetryPolicy, TimeoutPolicy } from './policy-definitions';
import { checkPolicyReferences, type ActorBreakerScope, type PolicyRefs, type ResiliencyDocument } from './resiliency-document';
import type { ResiliencyFinding } from './resiliency-finding';
import { tripPoint } from './trip-expression';
import { nearestName } from '../naming/nearest-name';

/**
 * The model: which retry, timeout and circuit breaker each sidecar applies to each target, resolved the way daprd
 * resolves them, plus findings for policies that silently apply to nothing.
 *
 * How daprd resolves (pkg/resiliency/resiliency.go, v1.18): each sidecar loads the documents whose `scopes` are
 * empty or name its app id, in order, into one set of maps, so a later document's policy or target of the same
 * name replaces an earlier one and a target may name a policy from another document. A target named in
 * `targets` gets exactly the policies it names and no defaults; anything else falls back, per policy kind, to the
 * most specific `Default…Policy` defined. Service invocation to an app with no named target also keeps
 * DaprBuiltInServiceRetries for sidecar-to-sidecar transport failures.
 */

export interface DeploymentShape {
  appIds: string[];
  /** Components and, where known, the app ids they are scoped to (empty: every app loads them). */
  components: Array<{ name: string; type: string; scopes?: string[] }>;
  /** Actor types hosted in the deployment, where known; targets naming others are then reported. */
  actorTypes?: string[];
  /**
   * Sidecars (app ids) whose view to resolve; defaults to every app id. "Applies to nothing" findings then speak
   * for these sidecars only.
   */
  scopes?: string[];
}

export type TargetRef =
  | { kind: 'app'; appId: string }
  | { kind: 'component'; name: string; type: string; componentKind: ComponentKind; direction: Direction }
  | { kind: 'actor'; actorType: string };

export interface EffectivePolicy {
  /** The app id whose sidecar applies these policies (the caller, for service invocation). */
  sidecar: string;
  target: TargetRef;
  /** `named`: a target entry names it; `default`: Default…Policy fallbacks; `none`: nothing applies. */
  source: 'named' | 'default' | 'none';
  timeout?: TimeoutPolicy;
  retry?: RetryPolicy;
  circuitBreaker?: CircuitBreakerPolicy;
  /** Retries daprd adds for sidecar-to-sidecar transport failures (gRPC Unavailable/Unauthenticated) only. */
  builtInRetry?: RetryPolicy;
  /** What one breaker instance counts. */
  breakerScope?: 'endpoint' | 'component' | ActorBreakerScope;
}

export interface SidecarPolicies {
  appId: string;
  /** Sources of the documents this sidecar loads, in load order. */
  documents: string[];
  builtInRetries: Record<BuiltInRetryName, RetryPolicy>;
  apps: EffectivePolicy[];
  components: EffectivePolicy[];
  actors: EffectivePolicy[];
}

export interface ResolvedResiliency {
  sidecars: SidecarPolicies[];
  findings: ResiliencyFinding[];
}

interface Merged {
  timeouts: Map<string, TimeoutPolicy>;
  retries: Map<string, RetryPolicy>;
  circuitBreakers: Map<string, CircuitBreakerPolicy>;
  apps: Map<string, PolicyRefs & { doc: ResiliencyDocument }>;
  actors: Map<string, PolicyRefs & { circuitBreakerScope?: ActorBreakerScope; doc: ResiliencyDocument }>;
  components: Map<string, { inbound: PolicyRefs; outbound: PolicyRefs; declared: Direction[]; doc: ResiliencyDocument }>;
  /** Which document each name last came from, for "redefined" findings. */
  origin: Map<string, string>;
}

const SECTIONS = { timeout: 'timeouts', retry: 'retries', circuitBreaker: 'circuitBreakers' } as const;
type RefKind = keyof typeof SECTIONS;
const REF_KINDS = Object.keys(SECTIONS) as RefKind[];
const POLICY_KIND: Record<RefKind, PolicyKind> = { timeout: 'Timeout', retry: 'Retry', circuitBreaker: 'CircuitBreaker' };
const SECTION_OF_KIND: Record<PolicyKind, string> = { Timeout: 'timeouts', Retry: 'retries', CircuitBreaker: 'circuitBreakers' };

export function appliesToSidecar(doc: ResiliencyDocument, appId: string): boolean {
  return doc.scopes.length === 0 || doc.scopes.includes(appId);
}

class FindingList {
  readonly items: ResiliencyFinding[] = [];
  private readonly seen = new Set<string>();

  add(finding: ResiliencyFinding): void {
    const key = `${finding.code}|${finding.document ?? ''}|${finding.field ?? ''}|${finding.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(finding);
  }
}

function merge(docs: ResiliencyDocument[], sidecar: string, findings: FindingList): Merged {
  const merged: Merged = {
    timeouts: new Map(),
    retries: new Map(),
    circuitBreakers: new Map(),
    apps: new Map(),
    actors: new Map(),
    components: new Map(),
    origin: new Map(),
  };
  for (const [name, retry] of Object.entries(builtInRetries())) merged.retries.set(name, retry);
  const note = (doc: ResiliencyDocument, key: string, field: string, what: string): void => {
    const previous = merged.origin.get(key);
    if (previous !== undefined && previous !== doc.source) {
      findings.add({
        code: 'redefined',
        severity: 'warning',
        message: `${what} is also defined in ${previous}; sidecar ${sidecar} loads both and keeps this later one`,
        document: doc.source,
        field,
        sidecar,
      });
    }
    merged.origin.set(key, doc.source);
  };
  for (const doc of docs) {
    for (const [name, t] of Object.entries(doc.policies.timeouts)) {
      note(doc, `timeout:${name}`, `spec.policies.timeouts.${name}`, `timeout "${name}"`);
      merged.timeouts.set(name, t);
    }
    for (const [name, r] of Object.entries(doc.policies.retries)) {
      if ((PROTECTED_RETRY_NAMES as readonly string[]).includes(name)) continue;
      note(doc, `retry:${name}`, `spec.policies.retries.${name}`, `retry "${name}"`);
      merged.retries.set(name, r);
    }
    for (const [name, cb] of Object.entries(doc.policies.circuitBreakers)) {
      note(doc, `cb:${name}`, `spec.policies.circuitBreakers.${name}`, `circuit breaker "${name}"`);
      merged.circuitBreakers.set(name, cb);
    }
    for (const [id, t] of Object.entries(doc.targets.apps)) {
      note(doc, `app:${id}`, `spec.targets.apps.${id}`, `the target for app "${id}"`);
      merged.apps.set(id, { ...t, doc });
    }
    for (const [type, t] of Object.entries(doc.targets.actors)) {
      note(doc, `actor:${type}`, `spec.targets.actors.${type}`, `the target for actor type "${type}"`);
      merged.actors.set(type, { ...t, doc });
    }
    for (const [name, t] of Object.entries(doc.targets.components)) {
      note(doc, `component:${name}`, `spec.targets.components.${name}`, `the target for component "${name}"`);
      merged.components.set(name, { ...t, doc });
    }
  }
  return merged;
}

function lookup(merged: Merged, kind: RefKind, name: string): TimeoutPolicy | RetryPolicy | CircuitBreakerPolicy | undefined {
  if (kind === 'timeout') return merged.timeouts.get(name);
  if (kind === 'retry') return merged.retries.get(name);
  return merged.circuitBreakers.get(name);
}

function hasPolicy(merged: Merged, kind: RefKind, name: string): boolean {
  return lookup(merged, kind, name) !== undefined;
}

interface Picked {
  timeout?: TimeoutPolicy;
  retry?: RetryPolicy;
  circuitBreaker?: CircuitBreakerPolicy;
}

function fromRefs(
  merged: Merged,
  refs: PolicyRefs,
  doc: ResiliencyDocument,
  field: string,
  sidecar: string,
  findings: FindingList,
): Picked {
  const picked: Picked = {};
  for (const kind of REF_KINDS) {
    const name = refs[kind];
    if (!name) continue;
    const policy = lookup(merged, kind, name);
    if (!policy) {
      findings.add({
        code: 'reference-out-of-scope',
        severity: 'warning',
        message: `names ${kind} "${name}", which only documents not loaded by sidecar ${sidecar} define (check their scopes); this target gets no ${kind} there`,
        document: doc.source,
        field: `${field}.${kind}`,
        sidecar,
      });
      continue;
    }
    (picked as Record<RefKind, unknown>)[kind] = policy;
  }
  return picked;
}

function fromDefaults(merged: Merged, target: DefaultTarget): Picked {
  const picked: Picked = {};
  for (const kind of REF_KINDS) {
    for (const keyword of defaultKeywords(target)) {
      const name = defaultPolicyName(keyword, POLICY_KIND[kind]);
      if (hasPolicy(merged, kind, name)) {
        (picked as Record<RefKind, unknown>)[kind] = lookup(merged, kind, name);
        break;
      }
    }
  }
  return picked;
}

function effective(
  sidecar: string,
  target: TargetRef,
  source: EffectivePolicy['source'],
  picked: Picked,
  extra: Partial<EffectivePolicy> = {},
): EffectivePolicy {
  const hasAny = picked.timeout || picked.retry || picked.circuitBreaker;
  return {
    sidecar,
    target,
    source: source === 'default' && !hasAny ? 'none' : source,
    ...picked,
    ...(picked.circuitBreaker && target.kind === 'app' ? { breakerScope: 'endpoint' as const } : {}),
    ...(picked.circuitBreaker && target.kind === 'component' ? { breakerScope: 'component' as const } : {}),
    ...extra,
  };
}

function resolveSidecar(docs: ResiliencyDocument[], sidecar: string, shape: DeploymentShape, findings: FindingList): SidecarPolicies {
  const loaded = docs.filter((d) => appliesToSidecar(d, sidecar));
  const merged = merge(loaded, sidecar, findings);
  const builtIns = Object.fromEntries(Object.keys(builtInRetries()).map((n) => [n, merged.retries.get(n) as RetryPolicy])) as Record<
    BuiltInRetryName,
    RetryPolicy
  >;

  const apps = shape.appIds.map((appId): EffectivePolicy => {
    const target: TargetRef = { kind: 'app', appId };
    const named = merged.apps.get(appId);
    if (named)
      return effective(sidecar, target, 'named', fromRefs(merged, named, named.doc, `spec.targets.apps.${appId}`, sidecar, findings));
    return effective(sidecar, target, 'default', fromDefaults(merged, { kind: 'app' }), {
      builtInRetry: builtIns.DaprBuiltInServiceRetries,
    });
  });

  const components: EffectivePolicy[] = [];
  for (const component of shape.components) {
    if (component.scopes && component.scopes.length > 0 && !component.scopes.includes(sidecar)) continue;
    const kind = componentKind(component.type);
    if (!kind) continue;
    const named = merged.components.get(component.name);
    for (const direction of directionsOf(kind)) {
      const target: TargetRef = { kind: 'component', name: component.name, type: component.type, componentKind: kind, direction };
      if (named) {
        components.push(
          effective(
            sidecar,
            target,
            'named',
            fromRefs(merged, named[direction], named.doc, `spec.targets.components.${component.name}.${direction}`, sidecar, findings),
          ),
        );
      } else {
        components.push(effective(sidecar, target, 'default', fromDefaults(merged, { kind: 'component', componentKind: kind, direction })));
      }
    }
  }

  const actorTypes = [...new Set([...(shape.actorTypes ?? []), ...merged.actors.keys()])];
  const actors = actorTypes.map((actorType): EffectivePolicy => {
    const target: TargetRef = { kind: 'actor', actorType };
    const named = merged.actors.get(actorType);
    if (named) {
      const picked = fromRefs(merged, named, named.doc, `spec.targets.actors.${actorType}`, sidecar, findings);
      return effective(
        sidecar,
        target,
        'named',
        picked,
        picked.circuitBreaker && named.circuitBreakerScope ? { breakerScope: named.circuitBreakerScope } : {},
      );
    }
    const picked = fromDefaults(merged, { kind: 'actor' });
    // Default actor breakers are kept one per actor type.
    return effective(sidecar, target, 'default', picked, {
      builtInRetry: builtIns.DaprBuiltInActorRetries,
      ...(picked.circuitBreaker ? { breakerScope: 'type' as const } : {}),
    });
  });

  return { appId: sidecar, documents: loaded.map((d) => d.source), builtInRetries: builtIns, apps, components, actors };
}

function targetFindings(docs: ResiliencyDocument[], shape: DeploymentShape, findings: FindingList): void {
  const appList = shape.appIds.join(', ') || '(none)';
  const componentsByName = new Map(shape.components.map((c) => [c.name, c]));
  for (const doc of docs) {
    if (doc.scopes.length > 0) {
      const running = doc.scopes.filter((s) => shape.appIds.includes(s));
      if (running.length === 0) {
        findings.add({
          code: 'scoped-to-nothing',
          severity: 'warning',
          message: `scopes (${doc.scopes.join(', ')}) name no running app (apps: ${appList}); no sidecar loads this Resiliency`,
          document: doc.source,
          field: 'scopes',
        });
      } else if (running.length < doc.scopes.length) {
        findings.add({
          code: 'scope-not-running',
          severity: 'info',
          message: `scopes name ${doc.scopes.filter((s) => !running.includes(s)).join(', ')}, which is not running here`,
          document: doc.source,
          field: 'scopes',
        });
      }
    }
    for (const [appId, t] of Object.entries(doc.targets.apps)) {
      const field = `spec.targets.apps.${appId}`;
      if (!shape.appIds.includes(appId)) {
        const near = nearestName(appId, shape.appIds);
        findings.add({
          code: 'unknown-app-target',
          severity: 'warning',
          message: `no app "${appId}" in this deployment${near ? ` (did you mean "${near}"?)` : ''} (apps: ${appList}); these policies apply to nothing unless it names an HTTPEndpoint`,
          document: doc.source,
          field,
        });
        continue;
      }
      if (!t.retry && !t.timeout && !t.circuitBreaker) {
        findings.add({
          code: 'empty-target',
          severity: 'warning',
          message: `names no policy, yet as a named target it switches off the Default…Policy fallbacks and DaprBuiltInServiceRetries for calls to "${appId}"`,
          document: doc.source,
          field,
        });
      } else {
        findings.add({
          code: 'built-in-retries-off',
          severity: 'info',
          message: `calls to "${appId}" get only the policies named here: no Default…Policy fallbacks and no DaprBuiltInServiceRetries for transport failures`,
          document: doc.source,
          field,
        });
      }
    }
    for (const [name, t] of Object.entries(doc.targets.components)) {
      const field = `spec.targets.components.${name}`;
      const component = componentsByName.get(name);
      if (!component) {
        const near = nearestName(name, [...componentsByName.keys()]);
        findings.add({
          code: 'unknown-component-target',
          severity: 'warning',
          message: `no component "${name}" in this deployment${near ? ` (did you mean "${near}"?)` : ''} (components: ${[...componentsByName.keys()].join(', ') || '(none)'}); these policies apply to nothing`,
          document: doc.source,
          field,
        });
        continue;
      }
      const kind = componentKind(component.type);
      if (!kind) {
        findings.add({
          code: 'component-without-resiliency',
          severity: 'warning',
          message: `component "${name}" is a ${component.type}, a type daprd applies no resiliency policy to`,
          document: doc.source,
          field,
        });
        continue;
      }
      if (t.declared.includes('inbound') && !INBOUND_KINDS.includes(kind)) {
        findings.add({
          code: 'inbound-never-used',
          severity: 'warning',
          message: `a ${kind} component never calls the app, so inbound policies apply to nothing (inbound is for pub/sub deliveries, input bindings and configuration subscriptions)`,
          document: doc.source,
          field: `${field}.inbound`,
        });
      }
      if (t.inbound.circuitBreaker && t.outbound.circuitBreaker) {
        const same = t.inbound.circuitBreaker === t.outbound.circuitBreaker;
        findings.add({
          code: 'shared-component-breaker',
          severity: same ? 'info' : 'warning',
          message: same
            ? `daprd keeps one breaker per component, so inbound and outbound failures of "${name}" count together`
            : `daprd keeps one breaker per component: inbound "${t.inbound.circuitBreaker}" and outbound "${t.outbound.circuitBreaker}" share one instance, configured by whichever direction is used first`,
          document: doc.source,
          field,
        });
      }
    }
    if (shape.actorTypes) {
      for (const actorType of Object.keys(doc.targets.actors)) {
        if (shape.actorTypes.includes(actorType)) continue;
        findings.add({
          code: 'unknown-actor-target',
          severity: 'warning',
          message: `no actor type "${actorType}" in this deployment (actor types: ${shape.actorTypes.join(', ') || '(none)'}); these policies apply to nothing`,
          document: doc.source,
          field: `spec.targets.actors.${actorType}`,
        });
      }
    }
  }
}

function policyInUse(sidecars: SidecarPolicies[], kind: RefKind, policy: object): boolean {
  return sidecars.some((s) => [...s.apps, ...s.components, ...s.actors].some((e) => e[kind] === policy));
}

function unusedPolicyReason(docs: ResiliencyDocument[], kind: RefKind, name: string): string {
  if (looksLikeDefaultName(name)) {
    const parsed = parseDefaultPolicyName(name);
    const validNames = allDefaultKeywords().map((k) => defaultPolicyName(k, POLICY_KIND[kind]));
    if (!parsed || !allDefaultKeywords().includes(parsed.keyword) || parsed.kind !== POLICY_KIND[kind]) {
      const near = nearestName(name, validNames);
      const wrongSection =
        parsed && parsed.kind !== POLICY_KIND[kind]
          ? `; daprd looks for ${name} among ${SECTION_OF_KIND[parsed.kind]}, not ${SECTIONS[kind]}`
          : '';
      return `daprd never looks up "${name}"${near ? ` (did you mean "${near}"?)` : ''}${wrongSection}`;
    }
    return 'no call falls back to it here: each target it could cover is named in targets, has a more specific default, or is not in this deployment';
  }
  const referencing = docs.flatMap((d) => [
    ...Object.values(d.targets.apps),
    ...Object.values(d.targets.actors),
    ...Object.values(d.targets.components).flatMap((c) => [c.inbound, c.outbound]),
  ]);
  if (!referencing.some((refs) => refs[kind] === name)) return 'no target names it';
  return 'the targets naming it are not in this deployment or not loaded by any running sidecar, or another document redefines it';
}

function policyFindings(docs: ResiliencyDocument[], sidecars: SidecarPolicies[], findings: FindingList): void {
  for (const doc of docs) {
    const sections: Array<[RefKind, Record<string, object>]> = [
      ['timeout', doc.policies.timeouts],
      ['retry', doc.policies.retries],
      ['circuitBreaker', doc.policies.circuitBreakers],
    ];
    for (const [kind, policies] of sections) {
      for (const [name, policy] of Object.entries(policies)) {
        // Built-in retries are used by daprd itself, not through targets.
        if (kind === 'retry' && isBuiltInRetryName(name)) continue;
        if (policyInUse(sidecars, kind, policy)) continue;
        findings.add({
          code: 'unused-policy',
          severity: 'warning',
          message: `${kind === 'circuitBreaker' ? 'circuit breaker' : kind} "${name}" applies to nothing: ${unusedPolicyReason(docs, kind, name)}`,
          document: doc.source,
          field: `spec.policies.${SECTIONS[kind]}.${name}`,
        });
      }
    }
  }
}

function effectFindings(docs: ResiliencyDocument[], sidecars: SidecarPolicies[], findings: FindingList): void {
  const documentOf = (policy: object): string | undefined =>
    docs.find((d) =>
      [d.policies.timeouts, d.policies.retries, d.policies.circuitBreakers].some((section) =>
        Object.values(section).includes(policy as never),
      ),
    )?.source;
  const where = (kind: RefKind, policy: { name: string }): { document?: string; field: string } => {
    const document = documentOf(policy);
    return { ...(document ? { document } : {}), field: `spec.policies.${SECTIONS[kind]}.${policy.name}` };
  };
  for (const sidecar of sidecars) {
    for (const e of [...sidecar.apps, ...sidecar.components, ...sidecar.actors]) {
      if (e.circuitBreaker) {
        const point = tripPoint(e.circuitBreaker.trip);
        if (point.kind === 'never') {
          findings.add({
            code: 'breaker-never-trips',
            severity: 'warning',
            message: `circuit breaker "${e.circuitBreaker.name}" never opens: ${point.reason}`,
            ...where('circuitBreaker', e.circuitBreaker),
          });
        } else if (point.kind === 'unknown') {
          findings.add({
            code: 'breaker-trip-unknown',
            severity: 'info',
            message: `the harness cannot tell when circuit breaker "${e.circuitBreaker.name}" opens: ${point.reason}`,
            ...where('circuitBreaker', e.circuitBreaker),
          });
        }
      }
      if (e.retry && e.retry.maxRetries === 0) {
        findings.add({
          code: 'retry-without-retries',
          severity: 'info',
          message: `retry "${e.retry.name}" has maxRetries 0: it never retries`,
          ...where('retry', e.retry),
        });
      }
      const retry = e.retry;
      const matches = retry && (retry.matching.httpStatusCodes !== null || retry.matching.grpcStatusCodes !== null);
      if (retry && matches && e.target.kind === 'component' && e.target.direction === 'outbound' && e.target.componentKind !== 'Pubsub') {
        findings.add({
          code: 'matching-ignored',
          severity: 'info',
          message: `retry "${retry.name}" lists status codes, but ${e.target.componentKind} errors carry none, so every failure of "${e.target.name}" is retried`,
          ...where('retry', retry),
          sidecar: sidecar.appId,
        });
      }
    }
  }
}

/** Resolve every sidecar's view of the documents against the deployment, with findings. */
export function resolvePolicies(docs: ResiliencyDocument[], shape: DeploymentShape): ResolvedResiliency {
  checkPolicyReferences(docs);
  const findings = new FindingList();
  for (const doc of docs) for (const w of doc.warnings) findings.add(w);
  const sidecarIds = shape.scopes ?? shape.appIds;
  const sidecars = sidecarIds.map((id) => resolveSidecar(docs, id, shape, findings));
  targetFindings(docs, shape, findings);
  policyFindings(docs, sidecars, findings);
  effectFindings(docs, sidecars, findings);
  return { sidecars, findings: findings.items };
}

export type PolicyQuery =
  { sidecar?: string; app: string } | { sidecar?: string; component: string; direction?: Direction } | { sidecar?: string; actor: string };

/**
 * The effective policy for one target. `sidecar` may be left out when the resolution has a single sidecar (or the
 * target is a component and the component's sidecar is unambiguous); `direction` defaults to outbound.
 */
export function effectivePolicy(resolved: ResolvedResiliency, query: PolicyQuery): EffectivePolicy {
  const sidecars = query.sidecar ? resolved.sidecars.filter((s) => s.appId === query.sidecar) : resolved.sidecars;
  if (sidecars.length === 0) {
    throw usageError(
      'RESILIENCY_UNKNOWN_SIDECAR',
      `no sidecar "${query.sidecar}" in the resolved policies`,
      `use one of: ${resolved.sidecars.map((s) => s.appId).join(', ')}`,
    );
  }
  const matches = sidecars.flatMap((s) => {
    if ('app' in query) return s.apps.filter((e) => e.target.kind === 'app' && e.target.appId === query.app);
    if ('actor' in query) return s.actors.filter((e) => e.target.kind === 'actor' && e.target.actorType === query.actor);
    const direction = query.direction ?? 'outbound';
    return s.components.filter(
      (e) => e.target.kind === 'component' && e.target.name === query.component && e.target.direction === direction,
    );
  });
  const what =
    'app' in query
      ? `app "${query.app}"`
      : 'actor' in query
        ? `actor type "${query.actor}"`
        : `component "${query.component}" (${query.direction ?? 'outbound'})`;
  if (matches.length === 0)
    throw usageError(
      'RESILIENCY_UNKNOWN_TARGET',
      `no resolved policy for ${what}${query.sidecar ? ` on sidecar ${query.sidecar}` : ''}`,
      'check the name against the deployment',
    );
  if (matches.length > 1) {
    throw usageError(
      'RESILIENCY_AMBIGUOUS_TARGET',
      `${what} resolves on ${matches.length} sidecars (${matches.map((m) => m.sidecar).join(', ')})`,
      'say which sidecar: { sidecar: "<app id>", ... }',
    );
  }
  return matches[0] as EffectivePolicy;
}
