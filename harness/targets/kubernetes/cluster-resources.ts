import type { ComponentInfo, ResourceDocument } from '../deployment';
import { isNotFound } from './api-errors';
import { retryOnTooManyRequests } from './api-retry';
import type { ClusterConnection } from './cluster-connection';
import { readFailed } from './control-plane-preflight';

/** The Dapr resources the suites read, at the version each CRD stores (reading another would need Dapr's conversion webhook). */
export const DAPR_RESOURCE_KINDS = [
  { kind: 'Component', plural: 'components', version: 'v1alpha1' },
  { kind: 'Configuration', plural: 'configurations', version: 'v1alpha1' },
  { kind: 'Resiliency', plural: 'resiliencies', version: 'v1alpha1' },
  { kind: 'Subscription', plural: 'subscriptions', version: 'v2alpha1' },
] as const;

const DAPR_GROUP = 'dapr.io';
/** Bookkeeping the API server adds; the documents read back look like the files that were applied. */
const SERVER_METADATA = ['kubectl.kubernetes.io/last-applied-configuration'];

export interface ClusterResources {
  resources: ResourceDocument[];
  components: ComponentInfo[];
}

interface DaprObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { type?: string };
  [key: string]: unknown;
}

/** Components, Configurations, Resiliencies and Subscriptions of a namespace, as documents with source `<ns>/<name>`. */
export async function readDaprResources(conn: ClusterConnection, namespace: string): Promise<ClusterResources> {
  const resources: ResourceDocument[] = [];
  const components: ComponentInfo[] = [];
  for (const { kind, plural, version } of DAPR_RESOURCE_KINDS) {
    let items: DaprObject[];
    try {
      const list = (await retryOnTooManyRequests(() =>
        conn.custom.listNamespacedCustomObject({ group: DAPR_GROUP, version, namespace, plural }),
      )) as { items?: DaprObject[] };
      items = list.items ?? [];
    } catch (err) {
      // A missing CRD is the preflight's finding; here it only means there is nothing of that kind.
      if (isNotFound(err)) continue;
      throw readFailed(`${plural}.${DAPR_GROUP} in namespace ${namespace}`, err);
    }
    for (const item of items.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
      const name = item.metadata?.name ?? '?';
      resources.push({ kind, name, body: asDocument(item, kind), source: `${namespace}/${name}` });
      if (kind === 'Component') components.push({ name, type: item.spec?.type ?? 'unknown' });
    }
  }
  return { resources, components };
}

/** Whether the control plane's daprsystem Configuration turns mTLS on; undefined when it cannot be read. */
export async function readMtlsEnabled(conn: ClusterConnection, controlPlaneNamespace: string): Promise<boolean | undefined> {
  try {
    const config = (await retryOnTooManyRequests(() =>
      conn.custom.getNamespacedCustomObject({
        group: DAPR_GROUP,
        version: 'v1alpha1',
        namespace: controlPlaneNamespace,
        plural: 'configurations',
        name: 'daprsystem',
      }),
    )) as {
      spec?: { mtls?: { enabled?: boolean } };
    };
    return config.spec?.mtls?.enabled ?? undefined;
  } catch {
    return undefined;
  }
}

/** Sentry's root certificate as published in the dapr-trust-bundle ConfigMap. */
export async function readTrustAnchors(conn: ClusterConnection, controlPlaneNamespace: string): Promise<string | undefined> {
  try {
    const cm = await conn.core.readNamespacedConfigMap({ name: 'dapr-trust-bundle', namespace: controlPlaneNamespace });
    return cm.data?.['ca.crt'] || undefined;
  } catch {
    return undefined;
  }
}

function asDocument(item: DaprObject, kind: string): Record<string, unknown> {
  const { metadata = {}, status: _status, ...rest } = item;
  const annotations = Object.fromEntries(Object.entries(metadata.annotations ?? {}).filter(([k]) => !SERVER_METADATA.includes(k)));
  return {
    ...rest,
    apiVersion: item.apiVersion,
    kind: item.kind ?? kind,
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      ...(metadata.labels && Object.keys(metadata.labels).length ? { labels: metadata.labels } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
  };
}
