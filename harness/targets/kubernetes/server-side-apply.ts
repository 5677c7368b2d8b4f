import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import type { ClusterConnection } from './cluster-connection';

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The API server has no resource for this apiVersion and kind (its CRD or API group is not installed). */
export class UnservedKindError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`the API server does not serve ${apiVersion} ${kind}`);
    this.name = 'UnservedKindError';
  }
}

/**
 * Server-side apply of a manifest exactly as written. client-node's KubernetesObjectApi.patch runs known kinds
 * through its model serializer, which reads TypeScript property names: wire names such as
 * `x-kubernetes-preserve-unknown-fields` in a CRD's schema are silently dropped, and the API server then rejects
 * or changes the object. Here client-node only finds the resource (discovery) and signs the request.
 */
export async function applyObject(conn: ClusterConnection, obj: KubernetesObject, opts: ApplyOptions): Promise<KubernetesObject> {
  const query = new URLSearchParams({
    fieldManager: opts.fieldManager,
    ...(opts.force ? { force: 'true' } : {}),
    ...(opts.dryRun ? { dryRun: 'All' } : {}),
  });
  return send(conn, 'PATCH', `${await objectPath(conn, obj)}?${query}`, JSON.stringify(obj), 'application/apply-patch+yaml');
}

/** DELETE of an object by apiVersion, kind, namespace and name; background propagation like kubectl. */
export async function deleteObject(conn: ClusterConnection, obj: KubernetesObject, opts: { dryRun?: boolean } = {}): Promise<void> {
  const query = new URLSearchParams({ propagationPolicy: 'Background', ...(opts.dryRun ? { dryRun: 'All' } : {}) });
  await send(conn, 'DELETE', `${await objectPath(conn, obj)}?${query}`);
}

async function objectPath(conn: ClusterConnection, obj: KubernetesObject): Promise<string> {
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  let resource;
  try {
    resource = await conn.objects.find(apiVersion, kind);
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) throw new UnservedKindError(apiVersion, kind);
    throw err;
  }
  if (!resource) throw new UnservedKindError(apiVersion, kind);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const namespace = obj.metadata?.namespace ?? conn.loaded.namespace ?? 'default';
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${resource.name}/${encodeURIComponent(obj.metadata?.name ?? '')}`;
}

async function send(conn: ClusterConnection, method: string, path: string, body?: string, contentType?: string): Promise<KubernetesObject> {
  const server = conn.loaded.server.replace(/\/$/, '');
  const url = new URL(`${server}${path}`);
  const opts: RequestOptions = {};
  await conn.kubeConfig.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined), accept: 'application/json' };
  if (contentType) headers['content-type'] = contentType;
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { ...opts, method, headers, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.once('end', () => {
          const status = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = text;
          }
          if (status >= 200 && status < 300) resolve(parsed as KubernetesObject);
          else reject(new ApiException(status, `${method} ${path} answered ${status}`, parsed, res.headers as Record<string, string>));
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS / 1000}s`)));
    req.once('error', reject);
    req.end(body);
  });
}
