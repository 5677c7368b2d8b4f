import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { usageError } from '../../errors/harness-error';
import { annotation, componentType, loadResourceFile, metadataValue, withMetadata, type DaprResource } from './dapr-resources';
import type { StreamSpec } from './nats-server';

/** Where this run's own servers listen; the committed resources name other hosts, which a local run replaces. */
export interface LocalEndpoints {
  redisAddress?: string;
  natsUrl?: string;
  nameResolutionDb: string;
  /** Zipkin endpoint of the harness's own collector; replaces the Configuration's, when it traces. */
  zipkinEndpoint?: string;
  /** Metadata that points a component type at this run's own server (RabbitMQ, mosquitto, PostgreSQL, MariaDB). */
  componentMetadata?: Record<string, Record<string, string>>;
}

export const JETSTREAM_SUBJECTS_ANNOTATION = 'dapr-harness.io/jetstream-subjects';
/**
 * Several streams for one component, `name=subject,subject;name=subject`, for a component without streamName
 * (it then finds the stream of each topic itself). Dead letters need this: JetStream drops a message whose id the
 * stream has seen, and a dead letter keeps the original's id.
 */
export const JETSTREAM_STREAMS_ANNOTATION = 'dapr-harness.io/jetstream-streams';

const REDIS_TYPES = new Set(['state.redis', 'pubsub.redis', 'lock.redis', 'configuration.redis', 'bindings.redis']);

export function needsRedisType(type: string): boolean {
  return REDIS_TYPES.has(type);
}

export function needsRedis(resources: DaprResource[]): boolean {
  return resources.some((r) => needsRedisType(componentType(r) ?? ''));
}

export function needsNats(resources: DaprResource[]): boolean {
  return resources.some((r) => componentType(r) === 'pubsub.jetstream');
}

/** The streams each JetStream component binds to, from its streamName and the subjects annotation. */
export function jetStreamStreams(resources: DaprResource[]): StreamSpec[] {
  const out = new Map<string, StreamSpec>();
  for (const r of resources) {
    if (componentType(r) !== 'pubsub.jetstream') continue;
    const many = annotation(r, JETSTREAM_STREAMS_ANNOTATION);
    if (many) {
      for (const part of many
        .split(';')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(part);
        if (!m)
          throw usageError(
            'RESOURCE_INVALID',
            `${r.file}: annotation ${JETSTREAM_STREAMS_ANNOTATION} has "${part}", not name=subject,subject`,
            'e.g. "tasks=task.created,task.updated;deadletters=task.deadletter"',
          );
        out.set(m[1] as string, {
          name: m[1] as string,
          subjects: (m[2] as string)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        });
      }
      continue;
    }
    const subjects = annotation(r, JETSTREAM_SUBJECTS_ANNOTATION);
    const name = metadataValue(r, 'streamName');
    if (typeof name !== 'string' || !subjects) {
      throw usageError(
        'RESOURCE_INVALID',
        `${r.file}: pubsub.jetstream component ${r.name} needs metadata streamName and annotation ${JETSTREAM_SUBJECTS_ANNOTATION}, or annotation ${JETSTREAM_STREAMS_ANNOTATION}`,
        `Dapr binds to an existing stream; name it (streamName) and list its subjects, e.g. ${JETSTREAM_SUBJECTS_ANNOTATION}: "task.>"`,
      );
    }
    out.set(name, {
      name,
      subjects: subjects
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  }
  return [...out.values()];
}

/** Points components at this run's servers. */
export function localizeComponent(r: DaprResource, endpoints: LocalEndpoints): DaprResource {
  const type = componentType(r);
  if (!type) return r;
  if (REDIS_TYPES.has(type) && endpoints.redisAddress) return withMetadata(r, { redisHost: endpoints.redisAddress, redisPassword: '' });
  if (type === 'pubsub.jetstream' && endpoints.natsUrl) return withMetadata(r, { natsURL: endpoints.natsUrl });
  const own = endpoints.componentMetadata?.[type];
  return own ? withMetadata(r, own) : r;
}

export interface RenderedConfig {
  file: string;
  mtlsEnabled: boolean;
}

/**
 * Writes the app's Configuration for this run: the committed one (or an empty one) with name resolution set to
 * sqlite on a file in the run dir, because mDNS needs multicast, which loopback does not carry.
 */
export function renderConfiguration(source: string | undefined, outDir: string, endpoints: LocalEndpoints): RenderedConfig {
  let doc: DaprResource | undefined;
  if (source) {
    const docs = loadResourceFile(source).filter((d) => d.kind === 'Configuration');
    if (docs.length !== 1)
      throw usageError(
        'CONFIG_INVALID',
        `${source} must hold exactly one Configuration (found ${docs.length})`,
        'point configFilePath at a Dapr Configuration file',
      );
    doc = docs[0];
  }
  const body = structuredClone(
    doc?.body ?? { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: { name: 'daprconfig' }, spec: {} },
  );
  const spec = body.spec as Record<string, unknown>;
  spec.nameResolution = { component: 'sqlite', version: 'v1', configuration: { connectionString: endpoints.nameResolutionDb } };
  const tracing = spec.tracing as { zipkin?: { endpointAddress?: string } } | undefined;
  if (tracing && endpoints.zipkinEndpoint) tracing.zipkin = { ...tracing.zipkin, endpointAddress: endpoints.zipkinEndpoint };
  const mtls = spec.mtls as { enabled?: unknown } | undefined;
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'config.yaml');
  writeFileSync(file, stringify(body));
  return { file, mtlsEnabled: mtls?.enabled !== false };
}

/** Writes the app's resources (components, resiliency, subscriptions) for this run into `outDir`. */
export function renderResources(resources: DaprResource[], outDir: string, endpoints: LocalEndpoints): void {
  mkdirSync(outDir, { recursive: true });
  for (const r of resources) {
    if (r.kind === 'Configuration') continue;
    const rendered = localizeComponent(r, endpoints);
    writeFileSync(join(outDir, `${r.kind.toLowerCase()}-${r.name}.yaml`), stringify(rendered.body));
  }
}
