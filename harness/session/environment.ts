import { sidecarMetadata } from '../targets/sidecar-metadata';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Deployment, ResourceDocument } from '../targets/deployment';
import type { RunEnvironment } from '../results/results-model';

/** sha256 over the canonical JSON of the documents of one kind, so two runs can tell whether policy changed. */
export function digestOf(docs: ResourceDocument[], kind: string): string | undefined {
  const picked = docs.filter((d) => d.kind === kind).sort((a, b) => a.name.localeCompare(b.name));
  if (picked.length === 0) return undefined;
  return `sha256:${createHash('sha256')
    .update(canonicalJson(picked.map((d) => d.body)))
    .digest('hex')
    .slice(0, 16)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What the report's environment section shows: asked of a sidecar, not assumed. */
export async function collectEnvironment(d: Deployment): Promise<RunEnvironment> {
  const env: RunEnvironment = { components: d.components.map((c) => ({ ...c })), host: hostname(), node: process.version };
  if (d.mtlsEnabled !== undefined) env.mtlsEnabled = d.mtlsEnabled;
  const first = d.apps[0];
  if (first) {
    try {
      const meta = await sidecarMetadata(first.sidecar.httpUrl, d.apiToken);
      if (meta.runtimeVersion) env.daprVersion = meta.runtimeVersion;
      if (meta.components)
        env.components = meta.components.map((c) => ({ name: c.name, type: c.type, ...(c.version ? { version: c.version } : {}) }));
    } catch {
      // left unknown; the acceptance platform suite reports an unreachable sidecar as a failure
    }
  }
  const known = (d as { daprVersion?: string }).daprVersion;
  if (!env.daprVersion && known) env.daprVersion = known;
  const config = digestOf(d.resources ?? [], 'Configuration');
  const resiliency = digestOf(d.resources ?? [], 'Resiliency');
  if (config) env.configurationDigest = config;
  if (resiliency) env.resiliencyDigest = resiliency;
  return env;
}
