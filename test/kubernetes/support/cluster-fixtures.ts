import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { isNotFound } from '../../../harness/targets/kubernetes/api-errors';
import { connectCluster, type ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { DAPR_CONTROL_PLANE } from '../../../harness/targets/kubernetes/control-plane-preflight';
import { poll } from '../../../harness/process/wait/poll';
import { kubeCluster } from '../../support/kube-api-server';
import { apply, DAPR_VERSION, installDaprCrds, TEST_TRUST_ANCHOR, type Manifest } from './dapr-cluster-fixtures';

/**
 * Workloads on the test cluster (kubeCluster()): the real controllers create their ReplicaSets and pods and kwok
 * runs the pods on its fake node, so what a test reads back is what those components wrote. Pod templates name
 * the node (spec.nodeName) because no scheduler runs; the images are never pulled (kwok only reports them
 * started).
 */
export async function clusterConnection(): Promise<ClusterConnection> {
  return connectCluster({ kubeconfig: (await kubeCluster()).kubeconfigPath });
}

export async function fakeNode(): Promise<string> {
  const node = (await kubeCluster()).nodes[0];
  if (!node) throw new Error('the test cluster has no fake node');
  return node;
}

let daprCrds: Promise<void> | undefined;
let controlPlane: Promise<void> | undefined;
export const CONTROL_PLANE_NAMESPACE = 'dapr-system';

/** Dapr's CRDs from the Dapr module's charts/, once per test cluster. */
export function ensureClusterDaprCrds(conn: ClusterConnection): Promise<void> {
  daprCrds ??= installDaprCrds(conn);
  return daprCrds;
}

/**
 * The five control-plane workloads of Dapr's Helm chart in dapr-system, as Deployments and StatefulSets the real
 * controllers roll out onto the fake node, plus the trust bundle and the daprsystem Configuration. Created once
 * and kept: other files' targets need a control plane that passes the preflight.
 */
export function ensureClusterControlPlane(conn: ClusterConnection): Promise<void> {
  controlPlane ??= (async () => {
    await ensureClusterDaprCrds(conn);
    await createClusterControlPlane(conn, CONTROL_PLANE_NAMESPACE, await fakeNode());
    await apply(conn, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dapr-trust-bundle', namespace: CONTROL_PLANE_NAMESPACE }, data: { 'ca.crt': TEST_TRUST_ANCHOR } });
    await apply(conn, { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: { name: 'daprsystem', namespace: CONTROL_PLANE_NAMESPACE }, spec: { mtls: { enabled: true, workloadCertTTL: '24h', allowedClockSkew: '15m', controlPlaneTrustDomain: 'cluster.local', sentryAddress: 'dapr-sentry.dapr-system.svc.cluster.local:443' } } });
  })();
  return controlPlane;
}

const IMAGES: Record<string, string> = {
  'dapr-operator': 'operator',
  'dapr-sentry': 'sentry',
  'dapr-placement-server': 'placement',
  'dapr-scheduler-server': 'scheduler',
  'dapr-sidecar-injector': 'injector',
};

export async function createClusterControlPlane(conn: ClusterConnection, namespace: string, node: string): Promise<void> {
  await apply(conn, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  for (const { name, kind } of DAPR_CONTROL_PLANE) {
    const labels = { app: name };
    await apply(conn, {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
        template: { metadata: { labels }, spec: { nodeName: node, containers: [{ name, image: `ghcr.io/dapr/${IMAGES[name]}:${DAPR_VERSION}` }] } },
      },
    });
  }
  for (const { name, kind } of DAPR_CONTROL_PLANE) await waitForWorkload(conn, kind, namespace, name, 1);
}

export interface ClusterAppOptions {
  name: string;
  appId?: string;
  replicas?: number;
  appPort?: number;
  /** Put a daprd container in the pod template, as the sidecar injector would add it. Default true. */
  injected?: boolean;
  /** Dapr annotations on the template. Default true. */
  annotated?: boolean;
  /** CPU request of each container (the HPA's utilization is measured against the sum). Default 100m. */
  cpuRequest?: string;
  node: string;
}

/** A Dapr app's Deployment as it would look once admitted: annotated, and with daprd when injected. */
export function daprAppDeployment(namespace: string, opts: ClusterAppOptions): Manifest {
  const appId = opts.appId ?? opts.name;
  const appPort = opts.appPort ?? 8080;
  const labels = { 'app.kubernetes.io/name': opts.name };
  const resources = { requests: { cpu: opts.cpuRequest ?? '100m', memory: '64Mi' } };
  const daprd = {
    name: 'daprd',
    image: `ghcr.io/dapr/daprd:${DAPR_VERSION}`,
    args: ['/daprd', '--mode', 'kubernetes', '--dapr-http-port', '3500', '--dapr-grpc-port', '50001', '--dapr-internal-grpc-port', '50002', '--app-id', appId, '--app-port', String(appPort)],
    ports: [
      { name: 'dapr-http', containerPort: 3500 },
      { name: 'dapr-grpc', containerPort: 50001 },
      { name: 'dapr-internal', containerPort: 50002 },
      { name: 'dapr-metrics', containerPort: 9090 },
    ],
    resources,
  };
  const annotations = opts.annotated === false ? {} : { 'dapr.io/enabled': 'true', 'dapr.io/app-id': appId, 'dapr.io/app-port': String(appPort) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name, namespace, labels },
    spec: {
      replicas: opts.replicas ?? 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations },
        spec: {
          nodeName: opts.node,
          containers: [{ name: 'app', image: 'dapr-harness/system-under-test:0.1.0', ports: [{ name: 'http', containerPort: appPort }], resources }, ...(opts.injected === false ? [] : [daprd])],
        },
      },
    },
  };
}

/** Waits until the workload's controller reports `ready` of `ready` replicas for its current generation. */
export async function waitForWorkload(conn: ClusterConnection, kind: 'Deployment' | 'StatefulSet', namespace: string, name: string, ready: number, timeoutMs = 60_000): Promise<void> {
  await poll(`${kind} ${namespace}/${name} to have ${ready} ready replicas`, async () => {
    const w: V1Deployment | V1StatefulSet = kind === 'Deployment' ? await conn.apps.readNamespacedDeployment({ name, namespace }) : await conn.apps.readNamespacedStatefulSet({ name, namespace });
    const s = w.status;
    return (s?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 1) && (s?.readyReplicas ?? 0) === ready && (s?.replicas ?? 0) === ready;
  }, { timeoutMs });
}

export async function livePods(conn: ClusterConnection, namespace: string, app: string): Promise<V1Pod[]> {
  const pods = await conn.core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${app}` });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Creates a namespace and waits for its default ServiceAccount (the serviceaccount controller's), which pods need. */
export async function createClusterNamespace(conn: ClusterConnection, name: string): Promise<void> {
  await apply(conn, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await poll(`the default ServiceAccount of namespace ${name}`, async () => Boolean(await conn.core.readNamespacedServiceAccount({ name: 'default', namespace: name })), { timeoutMs: 30_000 });
}

/** Deletes a namespace and waits until the namespace controller has removed it and everything in it. */
export async function deleteClusterNamespace(conn: ClusterConnection, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await conn.core.deleteNamespace({ name });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  await poll(`namespace ${name} to be gone`, async () => {
    try {
      await conn.core.readNamespace({ name });
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }, { timeoutMs });
}
