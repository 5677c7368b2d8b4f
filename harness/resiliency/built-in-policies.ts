import { retryPolicy, type RetryPolicy } from './policy-definitions';

/**
 * What daprd applies without being told: its built-in retries, the `Default…Policy` names it looks up when no
 * named target matches, and which component types take resiliency policies in which direction.
 */

export const BUILT_IN_RETRY_NAMES = [
  'DaprBuiltInServiceRetries',
  'DaprBuiltInActorRetries',
  'DaprBuiltInActorReminderRetries',
  'DaprBuiltInInitializationRetries',
  'DaprBuiltInActorNotFoundRetries',
] as const;
export type BuiltInRetryName = (typeof BUILT_IN_RETRY_NAMES)[number];

/** A spec may redefine a built-in retry, but daprd raises its maxRetries to at least this (and -1 counts as less). */
export const BUILT_IN_MIN_RETRIES = 3;

/** Built-ins a spec cannot redefine: daprd ignores the definition. */
export const PROTECTED_RETRY_NAMES: readonly BuiltInRetryName[] = ['DaprBuiltInActorNotFoundRetries'];

export function isBuiltInRetryName(name: string): name is BuiltInRetryName {
  return (BUILT_IN_RETRY_NAMES as readonly string[]).includes(name);
}

/** The built-in retries as daprd v1.18 declares them. */
export function builtInRetries(): Record<BuiltInRetryName, RetryPolicy> {
  return {
    // Sidecar-to-sidecar service invocation failing with gRPC Unavailable/Unauthenticated.
    DaprBuiltInServiceRetries: retryPolicy('DaprBuiltInServiceRetries', { policy: 'constant', durationMs: 1000, maxRetries: 3 }),
    DaprBuiltInActorRetries: retryPolicy('DaprBuiltInActorRetries', { policy: 'constant', durationMs: 1000, maxRetries: 3 }),
    // Declared without maxRetries, so Go's zero value applies: a first attempt and no retries.
    DaprBuiltInActorReminderRetries: retryPolicy('DaprBuiltInActorReminderRetries', {
      policy: 'exponential',
      durationMs: 0,
      initialIntervalMs: 500,
      randomizationFactor: 0.5,
      multiplier: 1.5,
      maxIntervalMs: 60_000,
      maxElapsedMs: 15 * 60_000,
      maxRetries: 0,
    }),
    DaprBuiltInInitializationRetries: retryPolicy('DaprBuiltInInitializationRetries', {
      policy: 'exponential',
      durationMs: 2000,
      initialIntervalMs: 500,
      randomizationFactor: 0.5,
      multiplier: 1.5,
      maxIntervalMs: 1000,
      maxElapsedMs: 10_000,
      maxRetries: 3,
    }),
    DaprBuiltInActorNotFoundRetries: retryPolicy('DaprBuiltInActorNotFoundRetries', {
      policy: 'constant',
      durationMs: 1000,
      maxRetries: 5,
    }),
  };
}

/** daprd's ComponentType names: the `%s` in `Default%sComponentOutboundRetryPolicy`. */
export const COMPONENT_KINDS = [
  'Statestore',
  'Pubsub',
  'Binding',
  'Secretstore',
  'Configuration',
  'Lock',
  'Crypto',
  'Conversation',
] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

const KIND_BY_PREFIX: Record<string, ComponentKind> = {
  state: 'Statestore',
  pubsub: 'Pubsub',
  bindings: 'Binding',
  secretstores: 'Secretstore',
  configuration: 'Configuration',
  lock: 'Lock',
  crypto: 'Crypto',
  conversation: 'Conversation',
};

/** `state.redis` → Statestore. Middleware, name resolution and other types take no resiliency policy. */
export function componentKind(type: string): ComponentKind | undefined {
  return KIND_BY_PREFIX[type.split('.')[0] ?? ''];
}

export type Direction = 'inbound' | 'outbound';

/** Component kinds whose sidecar calls the app (subscriptions, input bindings, configuration subscriptions). */
export const INBOUND_KINDS: readonly ComponentKind[] = ['Pubsub', 'Binding', 'Configuration'];

export function directionsOf(kind: ComponentKind): Direction[] {
  return INBOUND_KINDS.includes(kind) ? ['outbound', 'inbound'] : ['outbound'];
}

export type PolicyKind = 'Retry' | 'Timeout' | 'CircuitBreaker';

export type DefaultTarget = { kind: 'app' } | { kind: 'actor' } | { kind: 'component'; componentKind: ComponentKind; direction: Direction };

function capitalise(direction: Direction): string {
  return direction === 'inbound' ? 'Inbound' : 'Outbound';
}

/** The keywords daprd tries, most specific first; '' is the catch-all `Default<Kind>Policy`. */
export function defaultKeywords(target: DefaultTarget): string[] {
  if (target.kind === 'app') return ['App', ''];
  if (target.kind === 'actor') return ['Actor', ''];
  const d = capitalise(target.direction);
  return [`${target.componentKind}Component${d}`, `Component${d}`, 'Component', ''];
}

export function defaultPolicyName(keyword: string, kind: PolicyKind): string {
  return `Default${keyword}${kind}Policy`;
}

/** Every keyword daprd can ever look up. */
export function allDefaultKeywords(): string[] {
  const keywords = new Set<string>(['', 'App', 'Actor', 'Component', 'ComponentInbound', 'ComponentOutbound']);
  for (const kind of COMPONENT_KINDS) for (const d of ['Inbound', 'Outbound']) keywords.add(`${kind}Component${d}`);
  return [...keywords];
}

/** `DefaultStatestoreComponentOutboundRetryPolicy` → keyword `StatestoreComponentOutbound`, kind Retry. */
export function parseDefaultPolicyName(name: string): { keyword: string; kind: PolicyKind } | undefined {
  const match = /^Default(.*?)(Retry|Timeout|CircuitBreaker)Policy$/.exec(name);
  if (!match) return undefined;
  return { keyword: match[1] ?? '', kind: match[2] as PolicyKind };
}

/** Looks like an attempt at a default policy name (so a name daprd never looks up is worth a warning). */
export function looksLikeDefaultName(name: string): boolean {
  return /^Default/i.test(name) && /Policy$/i.test(name);
}
