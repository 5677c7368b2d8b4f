import { join, resolve } from 'node:path';
import type { ChaosResult } from '../../../harness/results/results-model';
import type { Deployment, ResourceDocument } from '../../../harness/targets/deployment';
import { retryDeliveryProbe, type DeliverySite } from '../../../suites/support/delivery-probes';
import { http, uniqueId } from '../../../suites/support/http';
import {
  breakerProbe,
  persistentProbe,
  timeoutProbe,
  transientProbe,
  type InvocationSite,
} from '../../../suites/support/invocation-probes';
import { stateOutageProbe } from '../../../suites/support/outage-probes';

/**
 * The policy matrix: Resiliency shapes, each declared for its own target in matrix/resources/resiliency.yaml,
 * and the probes (the chaos suites' own) that must find real daprd doing what the model derives from them.
 */
export const MATRIX_RUN_FILE = resolve(import.meta.dirname, 'matrix', 'dapr.yaml');
export const CALLER = 'matrix-caller';
export const STORE = 'matrixstore';

export function site(callee: string): InvocationSite {
  return { caller: CALLER, callee, freshMethod: async (label) => `work/${uniqueId(label)}` };
}

export function bus(pubsub: 'bus-sidecar' | 'bus-broker', publisherUrl: () => string): DeliverySite {
  const topic = pubsub === 'bus-sidecar' ? 'matrixa.retry' : 'matrixb.retry';
  return {
    subscriber: CALLER,
    pubsub,
    topic,
    async publish() {
      const eventId = uniqueId('matrix-event');
      const res = await http(`${publisherUrl()}/v1.0/publish/${pubsub}/${topic}`, {
        method: 'POST',
        json: { eventId, publishedAt: Date.now() },
      });
      if (res.status !== 204) throw new Error(`publishing to ${pubsub}/${topic} answered ${res.status}: ${res.text}`);
      return eventId;
    },
  };
}

export interface MatrixRow {
  shape: string;
  probe: string;
  run(d: Deployment): Promise<ChaosResult>;
}

const sidecarUrl = (d: Deployment) => (): string => d.sidecar(CALLER).httpUrl;

/** Every row runs on a fresh breaker (a method of its own), so the order matters only for the outage, last. */
export const MATRIX: MatrixRow[] = [
  { shape: 'constant 100ms ×3, matching 500-599', probe: 'transient 503s recover', run: () => transientProbe(site('callee-constant')) },
  {
    shape: 'constant 100ms ×3, matching 500-599',
    probe: 'a 429 outside matching is not retried',
    run: () => transientProbe(site('callee-constant'), { status: 429 }),
  },
  { shape: 'constant, timeout 1s', probe: 'a slow attempt is cut at 1s and retried', run: () => timeoutProbe(site('callee-constant')) },
  {
    shape: 'constant ×3 under trip consecutiveFailures >= 3',
    probe: 'the breaker ends the retries at 3 calls',
    run: () => persistentProbe(site('callee-constant')),
  },
  {
    shape: 'trip consecutiveFailures >= 3, maxRequests 1',
    probe: 'trips, fails fast, 1 trial',
    run: () => breakerProbe(site('callee-constant')),
  },
  { shape: 'exponential ×2', probe: 'transient 500s recover', run: () => transientProbe(site('callee-exponential'), { status: 500 }) },
  {
    shape: 'exponential ×2',
    probe: "persistent failure ends after 3 calls with the callee's status",
    run: () => persistentProbe(site('callee-exponential')),
  },
  {
    shape: 'trip totalFailures >= 4, maxRequests 2',
    probe: 'trips across requests, 2 overlapping trials',
    run: () => breakerProbe(site('callee-exponential')),
  },
  { shape: 'maxRetries 0', probe: 'one failure reaches the caller', run: () => transientProbe(site('callee-noretry')) },
  { shape: 'maxRetries 0, timeout 1s', probe: 'a slow attempt is cut and not retried', run: () => timeoutProbe(site('callee-noretry')) },
  { shape: 'maxRetries 0, trip requests > 2', probe: 'trips after 3 requests', run: () => breakerProbe(site('callee-noretry')) },
  { shape: 'maxRetries -1, constant 200ms', probe: 'transient failures recover', run: () => transientProbe(site('callee-forever')) },
  {
    shape: 'maxRetries -1, constant 200ms',
    probe: 'retries for the whole observation window',
    run: () => persistentProbe(site('callee-forever')),
  },
  {
    shape: 'maxRetries -1 under trip consecutiveFailures > 4',
    probe: 'the breaker ends unlimited retries',
    run: () => persistentProbe(site('callee-forever-breaker')),
  },
  {
    shape: 'inbound pub/sub: constant 300ms ×3',
    probe: 'RETRY redelivered by the sidecar',
    run: (d) => retryDeliveryProbe(bus('bus-sidecar', sidecarUrl(d))),
  },
  {
    shape: 'inbound pub/sub: ×1, broker ackWait 2s',
    probe: "RETRY beyond the sidecar's attempts redelivered by the broker",
    run: (d) => retryDeliveryProbe(bus('bus-broker', sidecarUrl(d))),
  },
];

/** A dependency of the matrix deployment by kind; the outage rows stop and start it. */
export function dependencyOf(d: Deployment, kind: string): NonNullable<Deployment['dependencies'][number]> {
  const dep = d.dependencies.find((x) => x.kind === kind);
  if (!dep) throw new Error(`the matrix deployment has no ${kind} to stop`);
  return dep;
}

export const OUTAGE_ROW: MatrixRow = {
  shape: 'outbound state: exponential ×3, timeout 1s',
  probe: 'a save during a redis outage fails no sooner and no later than the policy says',
  run: (d) => stateOutageProbe({ sidecar: CALLER, store: STORE, dependency: dependencyOf(d, 'redis') }),
};

/**
 * The same deployment as the harness would see it if the Resiliency file said something else than what daprd
 * loaded: the negative self-tests point the probes at a declared policy that differs from the real one.
 */
export function declaredAs(d: Deployment, edit: (docs: Map<string, Record<string, unknown>>) => void): Deployment {
  const resources: ResourceDocument[] = (d.resources ?? []).map((r) => ({ ...r, body: structuredClone(r.body) }));
  const byName = new Map(resources.filter((r) => r.kind === 'Resiliency').map((r) => [r.name, r.body]));
  edit(byName);
  return Object.create(d, { resources: { value: resources, enumerable: true } }) as Deployment;
}

/** The `spec` of a Resiliency document for editing. */
export interface ResiliencySpecEdit {
  policies: { retries: Record<string, Record<string, unknown>>; circuitBreakers: Record<string, Record<string, unknown>> };
  targets: { apps: Record<string, Record<string, unknown>>; components: Record<string, Record<string, Record<string, unknown>>> };
}

export function specOf(docs: Map<string, Record<string, unknown>>, name: string): ResiliencySpecEdit {
  const doc = docs.get(name);
  if (!doc) throw new Error(`no Resiliency document named ${name}`);
  return doc.spec as ResiliencySpecEdit;
}

export const MATRIX_RESOURCES = join(import.meta.dirname, 'matrix', 'resources');
