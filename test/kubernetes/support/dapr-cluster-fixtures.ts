import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { isNotFound } from '../../../harness/targets/kubernetes/api-errors';
import { connectCluster, type ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { DAPR_CONTROL_PLANE } from '../../../harness/targets/kubernetes/control-plane-preflight';
import { applyObject } from '../../../harness/targets/kubernetes/server-side-apply';
import { sleep } from '../../../harness/process/wait/wait-strategy';
import type { WorkloadRef } from '../../../harness/targets/kubernetes/workload-scaling';
import { kubeApiServer } from '../../support/kube-api-server';

/**
 * What a cluster with Dapr installed looks like to the API server, written through the API: Dapr's own CRDs,
 * the control-plane workloads with the status their controllers would report, and app Deployments with pods
 * that carry an injected daprd. No kubelet runs, so pod and workload status is written here, through the
 * status subresource, as the kubelet and the controllers would.
 */
export const DAPR_CRD_DIR = '/root/go/pkg/mod/github.com/dapr/dapr@v1.18.2/charts/dapr/crds';
export const DAPR_VERSION = '1.18.2';
const FIELD_MANAGER = 'dapr-harness-tests';

/** A manifest as written: any fields besides apiVersion, kind and metadata. */
export type Manifest = KubernetesObject & Record<string, unknown>;

export async function testConnection(): Promise<ClusterConnection> {
  const env = await kubeApiServer();
  return connectCluster({ kubeconfig: env.kubeconfigPath });
}

export function crdDocument(file: string): Manifest {
  const docs = parseAllDocuments(readFileSync(join(DAPR_CRD_DIR, file), 'utf8')).map((d) => d.toJS() as Manifest | null);
  const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition');
  if (!crd) throw new Error(`${file} holds no CRD`);
  return crd;
}

export const DAPR_CRD_FILES = ['components.yaml', 'configuration.yaml', 'resiliency.yaml', 'subscription.yaml', 'httpendpoints.yaml'];

/** Applies Dapr's CRDs from the Dapr module and waits until the API server serves them. */
export async function installDaprCrds(conn: ClusterConnection, files = DAPR_CRD_FILES): Promise<void> {
  for (const file of files) {
    const crd = crdDocument(file);
    await apply(conn, crd);
    await waitCrdEstablished(conn, crd.metadata?.name ?? '');
  }
}

let crdsInstalled: Promise<void> | undefined;
let sharedControlPlane: Promise<void> | undefined;
export const SHARED_CONTROL_PLANE = 'dapr-system';

/** Dapr's CRDs, installed once per API server (tests that remove one put it back). */
export function ensureDaprCrds(conn: ClusterConnection): Promise<void> {
  crdsInstalled ??= installDaprCrds(conn);
  return crdsInstalled;
}

/**
 * A healthy control plane in dapr-system, created once and never deleted: a deleted namespace stays Terminating
 * without a controller-manager, and other files need it. Tests that break a control plane make their own.
 */
export function ensureControlPlane(conn: ClusterConnection): Promise<void> {
  sharedControlPlane ??= (async () => {
    await ensureDaprCrds(conn);
    await createControlPlane(conn, SHARED_CONTROL_PLANE);
    await apply(conn, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dapr-trust-bundle', namespace: SHARED_CONTROL_PLANE }, data: { 'ca.crt': TEST_TRUST_ANCHOR } });
    await apply(conn, { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: { name: 'daprsystem', namespace: SHARED_CONTROL_PLANE }, spec: { mtls: { enabled: true, workloadCertTTL: '24h', allowedClockSkew: '15m', controlPlaneTrustDomain: 'cluster.local', sentryAddress: 'dapr-sentry.dapr-system.svc.cluster.local:443' } } });
  })();
  return sharedControlPlane;
}

/** Stands for Sentry's root in the trust bundle; nothing verifies against it here. */
export const TEST_TRUST_ANCHOR = '-----BEGIN CERTIFICATE-----\nMIIBdGVzdA==\n-----END CERTIFICATE-----\n';

let namespaceSerial = 0;
/** A namespace name no earlier test of this run used (deleted namespaces linger as Terminating). */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${process.pid % 10_000}-${++namespaceSerial}`;
}

export async function waitCrdEstablished(conn: ClusterConnection, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const crd = await conn.apiextensions.readCustomResourceDefinition({ name });
    if ((crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) return;
    await sleep(100);
  }
  throw new Error(`CRD ${name} not Established`);
}

/** Deletes a CRD and waits until it is gone (the API server removes its objects itself). */
export async function deleteCrd(conn: ClusterConnection, name: string): Promise<void> {
  try {
    await conn.apiextensions.deleteCustomResourceDefinition({ name });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  for (let i = 0; i < 200; i++) {
    try {
      await conn.apiextensions.readCustomResourceDefinition({ name });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    await sleep(100);
  }
  throw new Error(`CRD ${name} still there`);
}

export async function apply(conn: ClusterConnection, obj: Manifest): Promise<KubernetesObject> {
  return applyObject(conn, obj, { fieldManager: FIELD_MANAGER, force: true });
}

/** A namespace with the default ServiceAccount the controller-manager would create (pods need it to be admitted). */
export async function createNamespace(conn: ClusterConnection, name: string): Promise<void> {
  await apply(conn, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await apply(conn, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
}

/** Namespaces stay Terminating without a controller-manager; their contents go with the API server at the end of the run. */
export async function deleteNamespace(conn: ClusterConnection, name: string): Promise<void> {
  try {
    await conn.core.deleteNamespace({ name });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export interface ControlPlaneOptions {
  version?: string;
  /** Workloads whose status says 0 of their replicas are available. */
  unavailable?: string[];
  /** Workloads not created at all. */
  missing?: string[];
}

/** The five control-plane workloads of Dapr's Helm chart, with the status their controllers would write. */
export async function createControlPlane(conn: ClusterConnection, namespace: string, opts: ControlPlaneOptions = {}): Promise<void> {
  await createNamespace(conn, namespace);
  const version = opts.version ?? DAPR_VERSION;
  const images: Record<string, string> = {
    'dapr-operator': 'operator',
    'dapr-sentry': 'sentry',
    'dapr-placement-server': 'placement',
    'dapr-scheduler-server': 'scheduler',
    'dapr-sidecar-injector': 'injector',
  };
  for (const { name, kind } of DAPR_CONTROL_PLANE) {
    if (opts.missing?.includes(name)) continue;
    const labels = { app: name };
    const body = {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
        template: { metadata: { labels }, spec: { containers: [{ name, image: `ghcr.io/dapr/${images[name]}:${version}` }] } },
      },
    };
    await apply(conn, body);
    await setWorkloadStatus(conn, { kind, namespace, name }, opts.unavailable?.includes(name) ? 0 : 1);
  }
}

/** Writes the status a workload's controller would: `ready` of spec.replicas pods ready and available. */
export async function setWorkloadStatus(conn: ClusterConnection, ref: { kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string }, ready: number, replicas = ready): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const obj: V1Deployment | V1StatefulSet = ref.kind === 'Deployment' ? await conn.apps.readNamespacedDeployment(ref) : await conn.apps.readNamespacedStatefulSet(ref);
    const desired = obj.spec?.replicas ?? 1;
    const now = new Date();
    const available = ready >= desired && desired > 0 ? 'True' : 'False';
    obj.status = {
      observedGeneration: obj.metadata?.generation,
      replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      updatedReplicas: replicas,
      ...(ref.kind === 'StatefulSet'
        ? { currentReplicas: replicas }
        : { conditions: [{ type: 'Available', status: available, reason: available === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', lastTransitionTime: now, lastUpdateTime: now }] }),
    } as V1Deployment['status'] & V1StatefulSet['status'];
    try {
      if (ref.kind === 'Deployment') await conn.apps.replaceNamespacedDeploymentStatus({ ...ref, body: obj as V1Deployment });
      else await conn.apps.replaceNamespacedStatefulSetStatus({ ...ref, body: obj as V1StatefulSet });
      return;
    } catch (err) {
      // A concurrent writer (the test's controller loop) changed it in between: read again.
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }
  throw new Error(`could not write the status of ${ref.kind} ${ref.namespace}/${ref.name}`);
}

export interface DaprAppOptions {
  name: string;
  appId?: string;
  replicas?: number;
  appPort?: number;
  /** Give the pods a daprd container (what the injector adds). Default true. */
  injected?: boolean;
  /** Mark the pods Ready. Default true. */
  ready?: boolean;
  /** Put the Dapr annotations on the template. Default true. */
  annotated?: boolean;
  /** Bind the pods to this node (which may not exist); default: not scheduled. */
  nodeName?: string;
}

export function appLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name };
}

/** A Dapr-annotated Deployment and its pods, each with an app container and (when injected) daprd, Ready. */
export async function createDaprApp(conn: ClusterConnection, namespace: string, opts: DaprAppOptions): Promise<V1Pod[]> {
  const appId = opts.appId ?? opts.name;
  const replicas = opts.replicas ?? 1;
  const labels = appLabels(opts.name);
  const annotations =
    opts.annotated === false ? {} : { 'dapr.io/enabled': 'true', 'dapr.io/app-id': appId, 'dapr.io/app-port': String(opts.appPort ?? 8080), 'dapr.io/config': 'daprconfig' };
  await apply(conn, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels, annotations }, spec: { containers: [{ name: 'app', image: 'dapr-harness/system-under-test:0.1.0' }] } },
    },
  });
  const pods: V1Pod[] = [];
  for (let i = 0; i < replicas; i++) pods.push(await createAppPod(conn, namespace, opts, `${opts.name}-${i}`));
  await setWorkloadStatus(conn, { kind: 'Deployment', namespace, name: opts.name }, opts.ready === false ? 0 : replicas, replicas);
  return pods;
}

let podIpCounter = 10;

/** One pod of an app, as the injector would have mutated it and the kubelet would report it. */
export async function createAppPod(conn: ClusterConnection, namespace: string, opts: DaprAppOptions, podName: string): Promise<V1Pod> {
  const appId = opts.appId ?? opts.name;
  const appPort = opts.appPort ?? 8080;
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
  };
  const pod = await conn.core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: podName, namespace, labels: appLabels(opts.name), annotations: opts.annotated === false ? {} : { 'dapr.io/enabled': 'true', 'dapr.io/app-id': appId } },
      spec: {
        ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
        containers: [{ name: 'app', image: 'dapr-harness/system-under-test:0.1.0', ports: [{ name: 'http', containerPort: appPort }] }, ...(opts.injected === false ? [] : [daprd])],
      },
    },
  });
  const ready = opts.ready !== false;
  const now = new Date();
  pod.status = {
    phase: 'Running',
    podIP: `10.244.0.${podIpCounter++ % 250}`,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
    ],
  };
  return conn.core.replaceNamespacedPodStatus({ name: podName, namespace, body: pod });
}

/**
 * Plays the workload controller and the kubelet for one Deployment or StatefulSet while it runs: keeps as many
 * Ready pods as spec.replicas says and writes the status they add up to. Bounded: it stops itself after `maxMs`.
 */
export function runReplicaController(conn: ClusterConnection, ref: WorkloadRef, app: DaprAppOptions, maxMs = 60_000): { stop(): Promise<void> } {
  let stopped = false;
  let serial = 100;
  const started = Date.now();
  const read = (): Promise<V1Deployment | V1StatefulSet> => (ref.kind === 'Deployment' ? conn.apps.readNamespacedDeployment(ref) : conn.apps.readNamespacedStatefulSet(ref));
  const loop = (async () => {
    while (!stopped && Date.now() - started < maxMs) {
      const w = await read();
      const want = w.spec?.replicas ?? 1;
      const pods = (await conn.core.listNamespacedPod({ namespace: ref.namespace, labelSelector: `app.kubernetes.io/name=${app.name}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
      for (const extra of pods.slice(want)) await conn.core.deleteNamespacedPod({ name: extra.metadata?.name ?? '', namespace: ref.namespace }).catch(() => undefined);
      const names = new Set(pods.map((p) => p.metadata?.name));
      for (let i = pods.length; i < want; i++) {
        // A StatefulSet's pods have stable names (the lowest free ordinal); a Deployment's get new ones.
        const name = ref.kind === 'StatefulSet' ? firstFreeOrdinal(app.name, names) : `${app.name}-r${serial++}`;
        names.add(name);
        await createAppPod(conn, ref.namespace, app, name);
      }
      const live = Math.min(pods.length, want);
      const status = w.status ?? {};
      if (status.replicas !== live || status.readyReplicas !== live || status.observedGeneration !== w.metadata?.generation) {
        await setWorkloadStatus(conn, ref, live, live).catch(() => undefined);
      }
      await sleep(150);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop.catch(() => undefined);
    },
  };
}

function firstFreeOrdinal(base: string, taken: Set<string | undefined>): string {
  for (let k = 0; k <= taken.size; k++) if (!taken.has(`${base}-${k}`)) return `${base}-${k}`;
  return `${base}-${taken.size + 1}`;
}

/** Dapr resources as the reference deployment has them, for a namespace. */
export function daprResources(namespace: string): Manifest[] {
  const meta = (name: string): { name: string; namespace: string } => ({ name, namespace });
  return [
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: meta('statestore'),
      spec: { type: 'state.redis', version: 'v1', metadata: [{ name: 'redisHost', value: 'redis-master.dapr-system.svc.cluster.local:6379' }] },
    } as Manifest,
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: meta('pubsub'),
      spec: { type: 'pubsub.jetstream', version: 'v1', metadata: [{ name: 'natsURL', value: 'nats://nats.dapr-system.svc.cluster.local:4222' }] },
      scopes: ['task-service', 'notification-service'],
    } as Manifest,
    { apiVersion: 'dapr.io/v1alpha1', kind: 'Configuration', metadata: meta('daprconfig'), spec: { tracing: { samplingRate: '1' } } } as Manifest,
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Resiliency',
      metadata: meta('resiliency'),
      spec: { policies: { retries: { pubsubRetry: { policy: 'constant', duration: '1s', maxRetries: 3 } } }, targets: { components: { pubsub: { inbound: { retry: 'pubsubRetry' } } } } },
    } as Manifest,
    {
      apiVersion: 'dapr.io/v2alpha1',
      kind: 'Subscription',
      metadata: meta('notification-task-created'),
      spec: { pubsubname: 'pubsub', topic: 'task.created', routes: { default: '/events/task.created' } },
      scopes: ['notification-service'],
    } as Manifest,
  ];
}
