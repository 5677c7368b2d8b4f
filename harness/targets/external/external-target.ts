import { sidecarMetadata, SidecarMetadataError, type SidecarMetadata } from '../sidecar-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { usageError } from '../../errors/harness-error';
import { registerSecret } from '../../secrets/redaction';
import { loadResources } from '../local/dapr-resources';
import { findSidecar, type AppEndpoint, type ComponentInfo, type Deployment } from '../deployment';

/**
 * An already-running deployment the harness only talks to: sidecar URLs per app id, from flags
 * (`--sidecar app=http://host:3500`) or a YAML/JSON file (`apps: [{appId, sidecar, app?, metrics?}]`).
 */
export interface ExternalSpec {
  apps: { appId: string; sidecar: string; app?: string; metrics?: string; grpc?: string; internalGrpc?: string }[];
  /** PEM file of the trust bundle (e.g. from the dapr-trust-bundle ConfigMap), to check mTLS identities on the wire. */
  trustAnchorsFile?: string;
  /**
   * Folders of the Dapr resources the deployment runs with (Configuration, Resiliency, …): the sidecars' APIs do
   * not return them, and the chaos probes derive their expectations from the Resiliency.
   */
  resourcesPaths?: string[];
}

export function parseSidecarFlags(values: string[]): ExternalSpec {
  return {
    apps: values.map((v) => {
      const m = /^([a-z0-9][-a-z0-9]*)=(https?:\/\/[^\s]+)$/.exec(v);
      if (!m) throw usageError('BAD_FLAG', `--sidecar ${v} is not app-id=URL`, 'e.g. --sidecar sample-app=http://127.0.0.1:3500');
      return { appId: m[1] as string, sidecar: (m[2] as string).replace(/\/$/, '') };
    }),
  };
}

export function readExternalSpec(file: string): ExternalSpec {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(
      'SIDECARS_FILE',
      `cannot read ${file}: ${(err as Error).message.split('\n')[0]}`,
      'give a YAML or JSON file with apps: [{appId, sidecar}]',
    );
  }
  const apps = (doc as { apps?: unknown } | null)?.apps;
  if (!Array.isArray(apps) || apps.length === 0)
    throw usageError('SIDECARS_FILE', `${file} has no apps list`, 'write apps: [{appId: sample-app, sidecar: http://127.0.0.1:3500}]');
  for (const [i, a] of apps.entries()) {
    if (typeof a?.appId !== 'string' || typeof a?.sidecar !== 'string' || !/^https?:\/\//.test(a.sidecar)) {
      throw usageError(
        'SIDECARS_FILE',
        `${file}: apps[${i}] needs appId and a sidecar URL`,
        'e.g. {appId: sample-app, sidecar: http://127.0.0.1:3500}',
      );
    }
  }
  const trustAnchorsFile = (doc as { trustAnchorsFile?: unknown }).trustAnchorsFile;
  if (trustAnchorsFile !== undefined && (typeof trustAnchorsFile !== 'string' || !existsSync(resolve(dirname(file), trustAnchorsFile)))) {
    throw usageError(
      'SIDECARS_FILE',
      `${file}: trustAnchorsFile ${String(trustAnchorsFile)} does not exist`,
      'give the path of the trust bundle PEM, relative to the file, or leave it out',
    );
  }
  const rawPaths = (doc as { resourcesPaths?: unknown }).resourcesPaths;
  if (rawPaths !== undefined && (!Array.isArray(rawPaths) || !rawPaths.every((p) => typeof p === 'string'))) {
    throw usageError('SIDECARS_FILE', `${file}: resourcesPaths must be a list of folders`, 'e.g. resourcesPaths: [./dapr-components]');
  }
  const resourcesPaths = (rawPaths as string[] | undefined)?.map((p) => resolve(dirname(file), p));
  for (const p of resourcesPaths ?? [])
    if (!existsSync(p))
      throw usageError('SIDECARS_FILE', `${file}: resources folder ${p} does not exist`, 'give folders relative to the file');
  return {
    apps,
    ...(trustAnchorsFile ? { trustAnchorsFile: resolve(dirname(file), trustAnchorsFile as string) } : {}),
    ...(resourcesPaths ? { resourcesPaths } : {}),
  } as ExternalSpec;
}

/**
 * Connects to the sidecars (each must answer its metadata API) and returns a Deployment without lifecycle.
 * `appApiToken` (default: APP_API_TOKEN) is what the harness presents on its own direct calls to apps that answer
 * only their sidecar; whether the apps require one is observed by the T022 suite, not assumed from it.
 */
export async function connectExternal(
  spec: ExternalSpec,
  runId: string,
  runDir: string,
  apiToken?: string,
  appApiToken: string | undefined = process.env.APP_API_TOKEN || undefined,
): Promise<Deployment> {
  registerSecret(apiToken);
  registerSecret(appApiToken);
  const components = new Map<string, ComponentInfo>();
  const apps: AppEndpoint[] = [];
  const count = new Map<string, number>();
  for (const a of spec.apps) {
    let meta: SidecarMetadata;
    try {
      meta = await sidecarMetadata(a.sidecar, apiToken);
    } catch (err) {
      if (err instanceof SidecarMetadataError && err.status === 401) {
        throw usageError(
          'SIDECAR_UNAUTHORIZED',
          `the sidecar of ${a.appId} at ${a.sidecar} requires an API token`,
          'set DAPR_API_TOKEN to the token the sidecars expect',
        );
      }
      throw usageError(
        'SIDECAR_UNREACHABLE',
        `the sidecar of ${a.appId} at ${a.sidecar} does not answer its metadata API (${(err as Error).message})`,
        'check the URL and that daprd is running; for a cluster use --target kubernetes or a port-forward',
      );
    }
    if (meta.id && meta.id !== a.appId)
      throw usageError('SIDECAR_MISMATCH', `${a.sidecar} is the sidecar of ${meta.id}, not ${a.appId}`, 'fix the app id or the URL');
    for (const c of meta.components ?? []) components.set(c.name, { name: c.name, type: c.type });
    const instance = count.get(a.appId) ?? 0;
    count.set(a.appId, instance + 1);
    const host = new URL(a.sidecar).host;
    apps.push({
      appId: a.appId,
      instance,
      appUrl: a.app,
      sidecar: {
        appId: a.appId,
        httpUrl: a.sidecar,
        grpcAddress: a.grpc ?? host,
        metricsUrl: a.metrics,
        internalGrpcAddress: a.internalGrpc,
      },
    });
  }
  return {
    target: 'external',
    runId,
    runDir,
    apps,
    components: [...components.values()],
    dependencies: [],
    ...(apiToken ? { apiToken } : {}),
    ...(appApiToken ? { appApiToken } : {}),
    ...(spec.resourcesPaths
      ? { resources: loadResources(spec.resourcesPaths).map((r) => ({ kind: r.kind, name: r.name, body: r.body, source: r.file })) }
      : {}),
    ...(spec.trustAnchorsFile ? { trustAnchors: readFileSync(spec.trustAnchorsFile, 'utf8') } : {}),
    sidecar: (appId) => findSidecar(apps, appId),
    stop: async () => {},
  };
}
