import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { usageError } from '../../errors/harness-error';

/** A Dapr resource document (Component, Configuration, Resiliency, Subscription, HTTPEndpoint) and where it came from. */
export interface DaprResource {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
}

export interface ComponentMetadataItem {
  name: string;
  value?: unknown;
  secretKeyRef?: unknown;
}

const KNOWN_KINDS = new Set(['Component', 'Configuration', 'Resiliency', 'Subscription', 'HTTPEndpoint']);

/**
 * Reads and checks every YAML file under the given folders, so that a broken resource fails the start at once
 * with its file and line, instead of as a sidecar that never becomes healthy.
 */
export function loadResources(paths: string[]): DaprResource[] {
  const out: DaprResource[] = [];
  for (const dir of paths) {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (!['.yaml', '.yml'].includes(extname(name)) || !statSync(file).isFile()) continue;
      out.push(...loadResourceFile(file));
    }
  }
  return out;
}

export function loadResourceFile(file: string): DaprResource[] {
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const out: DaprResource[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos ? `:${error.linePos[0].line}` : '';
      throw usageError(
        'RESOURCE_INVALID',
        `${file}${line} is not valid YAML (${error.message.split('\n')[0]})`,
        'fix the YAML at that line',
      );
    }
    const body: unknown = doc.toJS();
    if (body === null || body === undefined) continue;
    const bad = (what: string): never => {
      throw usageError('RESOURCE_INVALID', `${file}: ${what}`, 'a Dapr resource needs apiVersion, kind, metadata.name and spec');
    };
    if (typeof body !== 'object' || Array.isArray(body)) return bad('expected a mapping');
    const b = body as Record<string, unknown>;
    if (typeof b.apiVersion !== 'string' || !b.apiVersion.startsWith('dapr.io/'))
      bad('apiVersion must be dapr.io/v1alpha1 (or another dapr.io version)');
    if (typeof b.kind !== 'string' || !KNOWN_KINDS.has(b.kind))
      bad(`kind must be one of ${[...KNOWN_KINDS].join(', ')} (got ${JSON.stringify(b.kind)})`);
    const meta = b.metadata as Record<string, unknown> | undefined;
    if (!meta || typeof meta.name !== 'string' || meta.name === '') bad('metadata.name is required');
    if (typeof b.spec !== 'object' || b.spec === null) bad('spec is required');
    if (b.kind === 'Component') checkComponent(file, b.spec as Record<string, unknown>);
    out.push({ file, apiVersion: b.apiVersion as string, kind: b.kind as string, name: (meta as { name: string }).name, body: b });
  }
  return out;
}

function checkComponent(file: string, spec: Record<string, unknown>): void {
  const bad = (what: string): never => {
    throw usageError(
      'RESOURCE_INVALID',
      `${file}: ${what}`,
      'a Component needs spec.type (e.g. state.redis), spec.version (e.g. v1) and spec.metadata as a list of {name, value}',
    );
  };
  if (typeof spec.type !== 'string' || !/^[a-z]+\.[\w.-]+$/.test(spec.type))
    bad(`spec.type must look like state.redis (got ${JSON.stringify(spec.type)})`);
  if (typeof spec.version !== 'string') bad('spec.version is required');
  if (spec.metadata !== undefined && !Array.isArray(spec.metadata)) bad('spec.metadata must be a list');
  for (const item of (spec.metadata as unknown[] | undefined) ?? []) {
    if (typeof item !== 'object' || item === null || typeof (item as ComponentMetadataItem).name !== 'string')
      bad('every spec.metadata item needs a name');
  }
}

export function componentType(resource: DaprResource): string | undefined {
  const spec = resource.body.spec as { type?: unknown } | undefined;
  return resource.kind === 'Component' && typeof spec?.type === 'string' ? spec.type : undefined;
}

/** Sets (or adds) named metadata values on a Component, leaving the rest of the document as it was. */
export function withMetadata(resource: DaprResource, values: Record<string, string>): DaprResource {
  const body = structuredClone(resource.body);
  const spec = body.spec as { metadata?: ComponentMetadataItem[] };
  const items = spec.metadata ?? [];
  for (const [name, value] of Object.entries(values)) {
    const existing = items.find((i) => i.name === name);
    if (existing) {
      delete existing.secretKeyRef;
      existing.value = value;
    } else {
      items.push({ name, value });
    }
  }
  spec.metadata = items;
  return { ...resource, body };
}

export function metadataValue(resource: DaprResource, name: string): unknown {
  const spec = resource.body.spec as { metadata?: ComponentMetadataItem[] };
  return spec.metadata?.find((i) => i.name === name)?.value;
}

export function annotation(resource: DaprResource, key: string): string | undefined {
  const meta = resource.body.metadata as { annotations?: Record<string, unknown> } | undefined;
  const v = meta?.annotations?.[key];
  return typeof v === 'string' ? v : undefined;
}
