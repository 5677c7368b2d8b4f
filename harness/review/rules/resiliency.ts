import { parseDaprDuration } from '../../resiliency/duration';
import { retryPolicy, type RetryPolicy } from '../../resiliency/policy-definitions';
import { retryDelaysMs } from '../../resiliency/retry-schedule';
import type { Resource } from '../resources';
import type { Hit, ReviewContext, Rule } from '../rule';
import type { YamlNode } from '../yaml-node';

type TargetKind = 'app' | 'actor' | 'component outbound' | 'component inbound';

interface Target {
  kind: TargetKind;
  name: string;
  node: YamlNode;
  retry: YamlNode | undefined;
  timeout: YamlNode | undefined;
  circuitBreaker: YamlNode | undefined;
}

function targetsOf(r: Resource): Target[] {
  const targets = r.root.at('spec', 'targets');
  const make = (kind: TargetKind, name: string, node: YamlNode): Target => ({
    kind,
    name,
    node,
    retry: node.get('retry'),
    timeout: node.get('timeout'),
    circuitBreaker: node.get('circuitBreaker'),
  });
  const out: Target[] = [];
  for (const [name, node] of targets?.get('apps')?.entries() ?? []) out.push(make('app', name, node));
  for (const [name, node] of targets?.get('actors')?.entries() ?? []) out.push(make('actor', name, node));
  for (const [name, node] of targets?.get('components')?.entries() ?? []) {
    for (const direction of ['outbound', 'inbound'] as const) {
      const d = node.get(direction);
      if (d) out.push(make(`component ${direction}`, name, d));
    }
  }
  return out;
}

const targetLabel = (t: Target): string => `${t.kind} target ${t.name}`;

/** Dapr's built-in policy names that apply to service invocation when the spec defines them. */
const INVOCATION_DEFAULT_RETRIES = ['DefaultRetryPolicy', 'DefaultAppRetryPolicy'];

function retrySpec(r: Resource, name: string | undefined): YamlNode | undefined {
  return name ? r.root.at('spec', 'policies', 'retries', name) : undefined;
}

/** maxRetries as daprd reads it: absent means -1, retry without limit. */
function maxRetriesOf(spec: YamlNode): number {
  return spec.get('maxRetries')?.num() ?? -1;
}

function durationMsOf(node: YamlNode | undefined): number | undefined {
  const text = node?.str();
  if (text === undefined) return undefined;
  const parsed = parseDaprDuration(text);
  return parsed.ok ? parsed.ms : undefined;
}

function retryPolicyOf(spec: YamlNode): RetryPolicy {
  const kind = spec.get('policy')?.str() === 'exponential' ? 'exponential' : 'constant';
  return retryPolicy(spec.get('policy')?.str() ?? 'retry', {
    policy: kind,
    maxRetries: maxRetriesOf(spec),
    ...(durationMsOf(spec.get('duration')) !== undefined ? { durationMs: durationMsOf(spec.get('duration')) } : {}),
    ...(durationMsOf(spec.get('maxInterval')) !== undefined ? { maxIntervalMs: durationMsOf(spec.get('maxInterval')) } : {}),
  });
}

export const retryWithoutBreaker: Rule = {
  id: 'resiliency-retry-without-breaker',
  family: 'resiliency',
  severity: 'medium',
  title: 'a Resiliency target retries without a circuit breaker',
  why: 'every caller keeps retrying a target that is down, multiplying the load on it exactly when it can least take it, and no one stops the storm',
  fix: 'add a circuitBreaker to the same target (e.g. trip: consecutiveFailures > 5, timeout: 30s)',
  check(ctx) {
    return ctx.of('Resiliency').flatMap((r): Hit[] =>
      targetsOf(r)
        .filter((t) => t.retry?.str() && !t.circuitBreaker?.str())
        .map((t): Hit => ({
          resource: r,
          at: t.retry,
          message: `${r.label}: ${targetLabel(t)} retries (${t.retry?.str()}) with no circuitBreaker`,
        })),
    );
  },
};

export const unlimitedRetries: Rule = {
  id: 'resiliency-unlimited-retries',
  family: 'resiliency',
  severity: 'high',
  title: 'service invocation retries without limit (maxRetries: -1, or maxRetries not set)',
  why: 'an unlimited retry keeps calling a failing app for as long as the back-off allows (up to 15 minutes), tying up the caller and amplifying an outage; an unset maxRetries means -1 to Dapr',
  fix: 'give the retry policy a small maxRetries (e.g. 3) and match only retryable status codes',
  check(ctx) {
    const hits: Hit[] = [];
    for (const r of ctx.of('Resiliency')) {
      const reported = new Set<string>();
      const report = (policyName: string, why: string): void => {
        const spec = retrySpec(r, policyName);
        if (!spec || maxRetriesOf(spec) !== -1 || reported.has(policyName)) return;
        reported.add(policyName);
        const at = spec.get('maxRetries') ?? r.root.at('spec', 'policies', 'retries', policyName);
        hits.push({
          resource: r,
          at,
          message: `${r.label}: retry policy ${policyName} (${why}) has ${spec.has('maxRetries') ? 'maxRetries: -1' : 'no maxRetries, which Dapr reads as -1'}`,
        });
      };
      for (const t of targetsOf(r)) if (t.kind === 'app' && t.retry?.str()) report(t.retry.str() ?? '', `used by ${targetLabel(t)}`);
      for (const name of INVOCATION_DEFAULT_RETRIES) report(name, "Dapr's default for service invocation");
    }
    return hits;
  },
};

/** How long a pub/sub broker waits for an acknowledgement before delivering again, by component type. */
const REDELIVERY_DEADLINE: Record<string, string> = {
  'pubsub.jetstream': 'ackWait',
  'pubsub.redis': 'processingTimeout',
};

export const timeoutExceedsCaller: Rule = {
  id: 'resiliency-timeout-exceeds-caller',
  family: 'resiliency',
  severity: 'medium',
  title: "a delivery timeout (with its retries) outlasts the broker's redelivery deadline",
  why: 'the broker is the caller of an inbound delivery: once its deadline passes it delivers the message again while the sidecar is still working on it, so the app sees duplicates and the load doubles',
  fix: "keep the inbound timeout, times the attempts plus back-off, below the component's deadline (e.g. jetstream ackWait), or raise the deadline",
  check(ctx: ReviewContext) {
    const hits: Hit[] = [];
    for (const r of ctx.of('Resiliency')) {
      for (const t of targetsOf(r).filter((x) => x.kind === 'component inbound' && x.timeout?.str())) {
        const component = ctx.of('Component').find((c) => c.name === t.name);
        const type = component?.root.at('spec', 'type')?.str() ?? '';
        const key = REDELIVERY_DEADLINE[type];
        const deadlineNode = key
          ? (component?.root.at('spec', 'metadata')?.items() ?? []).find((m) => m.get('name')?.str() === key)?.get('value')
          : undefined;
        const deadlineMs = durationMsOf(deadlineNode);
        const timeoutName = t.timeout?.str() ?? '';
        const timeoutMs = durationMsOf(r.root.at('spec', 'policies', 'timeouts', timeoutName)) ?? durationMsOf(t.timeout);
        if (!component || deadlineMs === undefined || timeoutMs === undefined) continue;
        const deadline = `${component.label} ${key} ${deadlineNode?.str()}`;
        if (timeoutMs >= deadlineMs) {
          hits.push({
            resource: r,
            at: t.timeout,
            message: `${r.label}: ${targetLabel(t)} times out after ${timeoutName} per attempt, not before ${deadline}`,
          });
          continue;
        }
        const spec = retrySpec(r, t.retry?.str());
        if (!spec) continue;
        const retry = retryPolicyOf(spec);
        if (retry.maxRetries < 0) {
          hits.push({
            resource: r,
            at: t.retry,
            severity: 'low',
            message: `${r.label}: ${targetLabel(t)} retries without limit, past ${deadline}`,
          });
          continue;
        }
        const shortestMs = (retry.maxRetries + 1) * timeoutMs + retryDelaysMs(retry, retry.maxRetries).reduce((sum, d) => sum + d.minMs, 0);
        if (shortestMs > deadlineMs) {
          hits.push({
            resource: r,
            at: t.retry,
            severity: 'low',
            message: `${r.label}: ${targetLabel(t)} may spend ${Math.round(shortestMs / 100) / 10}s on a hanging app (${retry.maxRetries + 1} attempts of ${timeoutName} plus back-off), past ${deadline}`,
          });
        }
      }
    }
    return hits;
  },
};

export const RESILIENCY_RULES = [retryWithoutBreaker, unlimitedRetries, timeoutExceedsCaller];
