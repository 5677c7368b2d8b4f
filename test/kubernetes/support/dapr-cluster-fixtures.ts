import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, V1Deployment, V1Pod, V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { poll } from '../../../harness/process/wait/poll';
import { sleep } from '../../../harness/process/wait/wait-strategy';
import { pinnedDaprVersion } from '../../../harness/runtime/runtime-binaries';
import { isNotFound } from '../../../harness/targets/kubernetes/api-errors';
import { connectCluster, type ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { DAPR_CONTROL_PLANE, type WorkloadKind } from '../../../harness/targets/kubernetes/control-plane-preflight';
import { applyObject } from '../../../harness/targets/kubernetes/server-side-apply';
import type { WorkloadRef } from '../../../harness/targets/kubernetes/workload-scaling';
import { daprModuleDir } from '../../../harness/runtime/dapr-module';
import { kubeApiServer, kubeCluster } from '../../support/kube-api-server';

/**
 * What a cluster with Dapr installed looks like, written through the API: Dapr's own CRDs, the control-plane
 * workloads, namespaces and app Deployments, on either of the two shared control planes
 * (test/support/kube-api-server.ts):
 *
 * - 'api-server': etcd and kube-apiserver alone. No controller or kubelet runs, so a fixture writes the status
 *   they would (through the status subresource) and a test gets exactly the state it sets up.
 * - 'cluster': the real controllers create ReplicaSets and pods and kwok runs the pods on its fake node, so a
 *   fixture waits for what they write. Pod templates name the node (spec.nodeName) because no scheduler runs; the
 *   images are never pulled (kwok only reports them started).
 *
 * A connection from testConnection() says which one it talks to, and each fixture does the right thing on it.
 */
export type TestControlPlane = 'api-server' | 'cluster';

export interface TestConnection extends ClusterConnection {
  controlPlane: TestControlPlane;
}

/** The Dapr release the harness builds daprd from (runtime/go.mod): the control plane's and sidecars' image tag. */
export const DAPR_VERSION = pinnedDaprVersion().replace(/^v/, '');
const FIELD_MANAGER = 'dapr-harness-tests';

/** A manifest as written: any fields besides apiVersion, kind and metadata. */
export type Manifest = KubernetesObject & Record<string, unknown>;

export async function testConnection(controlPlane: TestControlPlane = 'api-server'): Promise<TestConnection> {
  const env = await (controlPlane === 'cluster' ? kubeCluster() : kubeApiServer());
  return { ...(await connectCluster({ kubeconfig: env.kubeconfigPath })), controlPlane };
}

/** The test cluster's fake node, where kwok runs the pods bound to it. */
export async function fakeNode(): Promise<string> {
  const node = (await kubeCluster()).nodes[0];
  if (!node) throw new Error('the test cluster has no fake node');
  return node;
}

export async function apply(conn: ClusterConnection, obj: Manifest): Promise<KubernetesObject> {
  return applyObject(conn, obj, { fieldManager: FIELD_MANAGER, force: true });
}

let namespaceSerial = 0;
/** A namespace name no earlier test of this run used (deleted namespaces linger as Terminating). */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${process.pid % 10_000}-${++namespaceSerial}`;
}

// --- Dapr's CRDs ---

let crdDir: string | undefined;
/** charts/dapr/crds of the Dapr module at the release runtime/go.mod pins, from the Go module cache. */
function daprCrdDir(): string {
  crdDir ??= join(daprModuleDir(pinnedDaprVersion()), 'charts/dapr/crds');
  return crdDir;
}

export function crdDocument(file: string): Manifest {
  const docs = parseAllDocuments(readFileSync(join(daprCrdDir(), file), 'utf8')).map((d) => d.toJS() as Manifest | null);
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

const crdsInstalled = new Map<TestControlPlane, Promise<void>>();

/** Dapr's CRDs, installed once per control plane (tests that remove one put it back). */
export function ensureDaprCrds(conn: TestConnection): Promise<void> {
  let pending = crdsInstalled.get(conn.controlPlane);
  if (!pending) crdsInstalled.set(conn.controlPlane, (pending = installDaprCrds(conn)));
  return pending;
}

export async function waitCrdEstablished(conn: ClusterConnection, name: string): Promise<void> {
  await poll(
    `CRD ${name} to be Established`,
    async () => {
      const crd = await conn.apiextensions.readCustomResourceDefinition({ name });
      return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  );
}

/** Deletes a CRD and waits until it is gone (the API server removes its objects itself). */
export async function deleteCrd(conn: ClusterConnection, name: string): Promise<void> {
  try {
    await conn.apiextensions.deleteCustomResourceDefinition({ name });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  await poll(
    `CRD ${name} to be gone`,
    () =>
      conn.apiextensions.readCustomResourceDefinition({ name }).then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      ),
    { timeoutMs: 20_000, intervalMs: 100 },
  );
}

// --- namespaces ---

/**
 * A namespace with its default ServiceAccount, which pods need to be admitted: on the test cluster the
 * serviceaccount controller creates it (waited for), on the API server alone this writes it as that would.
 */
export async function createNamespace(conn: TestConnection, name: string): Promise<void> {
  await apply(conn, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (conn.controlPlane === 'api-server') {
    await apply(conn, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
    return;
  }
  await poll(
    `the default ServiceAccount of namespace ${name}`,
    async () => Boolean(await conn.core.readNamespacedServiceAccount({ name: 'default', namespace: name })),
    { timeoutMs: 30_000 },
  );
}

/**
 * Deletes a namespace. On the test cluster this waits until the namespace controller has removed it and everything
 * in it; on the API server alone it stays Terminating, and its contents go with the API server at the end of the run.
 */
export async function deleteNamespace(conn: TestConnection, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await conn.core.deleteNamespace({ name });
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (conn.controlPlane === 'api-server') return;
  await poll(
    `namespace ${name} to be gone`,
    () =>
      conn.core.readNamespace({ name }).then(
        () => false,
        (err: unknown) => {
          if (isNotFound(err)) return true;
          throw err;
        },
      ),
    { timeoutMs },
  );
}

// --- the Dapr control plane ---

export const CONTROL_PLANE_NAMESPACE = 'dapr-system';
const sharedControlPlanes = new Map<TestControlPlane, Promise<void>>();

/** Stands for Sentry's root in the trust bundle; nothing verifies against it here. */
export const TEST_TRUST_ANCHOR = '-----BEGIN CERTIFICATE-----\nMIIBdGVzdA==\n-----END CERTIFICATE-----\n';

/**
 * A healthy control plane in dapr-system with the trust bundle and the daprsystem Configuration, created once per
 * control plane and kept: other files' targets need one that passes the preflight (and on the API server alone a
 * deleted namespace would stay Terminating). Tests that break a control plane make their own.
 */
export function ensureControlPlane(conn: TestConnection): Promise<void> {
  let pending = sharedControlPlanes.get(conn.controlPlane);
  if (!pending) {
    pending = (async () => {
      await ensureDaprCrds(conn);
      await createControlPlane(conn, CONTROL_PLANE_NAMESPACE);
      await apply(conn, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'dapr-trust-bundle', namespace: CONTROL_PLANE_NAMESPACE },
        data: { 'ca.crt': TEST_TRUST_ANCHOR },
      });
      await apply(conn, {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Configuration',
        metadata: { name: 'daprsystem', namespace: CONTROL_PLANE_NAMESPACE },
        spec: {
          mtls: {
            enabled: true,
            workloadCertTTL: '24h',
            allowedClockSkew: '15m',
            controlPlaneTrustDomain: 'cluster.local',
            sentryAddress: 'dapr-sentry.dapr-system.svc.cluster.local:443',
          },
        },
      });
    })();
    sharedControlPlanes.set(conn.controlPlane, pending);
  }
  return pending;
}

const CONTROL_PLANE_IMAGES: Record<string, string> = {
  'dapr-operator': 'operator',
  'dapr-sentry': 'sentry',
  'dapr-placement-server': 'placement',
  'dapr-scheduler-server': 'scheduler',
  'dapr-sidecar-injector': 'injector',
};

export interface ControlPlaneOptions {
  version?: string;
  /** Workloads whose status says 0 of their replicas are available (API server alone: the status is written). */
  unavailable?: string[];
  /** Workloads not created at all. */
  missing?: string[];
}

/**
 * The five control-plane workloads of Dapr's Helm chart in `namespace`: on the test cluster the real controllers
 * roll them out onto the fake node (waited for), on the API server alone their status is written as theirs would be.
 */
export async function createControlPlane(conn: TestConnection, namespace: string, opts: ControlPlaneOptions = {}): Promise<void> {
  const node = conn.controlPlane === 'cluster' ? await fakeNode() : undefined;
  if (node && opts.unavailable?.length)
    throw new Error('unavailable control-plane workloads are written as status, which only the API server alone allows');
  await createNamespace(conn, namespace);
  const version = opts.version ?? DAPR_VERSION;
  const workloads = DAPR_CONTROL_PLANE.filter((w) => !opts.missing?.includes(w.name));
  for (const { name, kind } of workloads) {
    const labels = { app: name };
    await apply(conn, {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
        template: {
          metadata: { labels },
          spec: {
            ...(node ? { nodeName: node } : {}),
            containers: [{ name, image: `ghcr.io/dapr/${CONTROL_PLANE_IMAGES[name]}:${version}` }],
          },
        },
      },
    });
    if (!node) await setWorkloadStatus(conn, { kind, namespace, name }, opts.unavailable?.includes(name) ? 0 : 1);
  }
  if (node) for (const { name, kind } of workloads) await waitForWorkload(conn, kind, namespace, name, 1);
}

// --- Dapr apps ---

export interface DaprAppOptions {
  name: string;
  appId?: string;
  replicas?: number;
  appPort?: number;
  /** Put daprd in the pods, as the sidecar injector adds it. Default true. */
  injected?: boolean;
  /** Put the Dapr annotations on the template. Default true. */
  annotated?: boolean;
  /** CPU request of each container (an HPA measures utilization against the sum). Default 100m. */
  cpuRequest?: string;
  /**
   * The node the pods are bound to (no scheduler runs). On the test cluster kwok runs them when it is its fake node
   * (createDaprApp's default); on the API server alone any name will do, and the default is none.
   */
  node?: string;
  /** Mark the pods Ready (API server alone, where their status is written). Default true. */
  ready?: boolean;
}

export function appLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name };
}

/** A Dapr app's pod template as it looks once admitted: annotated, and with daprd when injected. */
export function daprAppPodTemplate(opts: DaprAppOptions): V1PodTemplateSpec {
  const appId = opts.appId ?? opts.name;
  const appPort = opts.appPort ?? 8080;
  const resources = { requests: { cpu: opts.cpuRequest ?? '100m', memory: '64Mi' } };
  const daprd = {
    name: 'daprd',
    image: `ghcr.io/dapr/daprd:${DAPR_VERSION}`,
    args: [
      '/daprd',
      '--mode',
      'kubernetes',
      '--dapr-http-port',
      '3500',
      '--dapr-grpc-port',
      '50001',
      '--dapr-internal-grpc-port',
      '50002',
      '--app-id',
      appId,
      '--app-port',
      String(appPort),
    ],
    ports: [
      { name: 'dapr-http', containerPort: 3500 },
      { name: 'dapr-grpc', containerPort: 50001 },
      { name: 'dapr-internal', containerPort: 50002 },
      { name: 'dapr-metrics', containerPort: 9090 },
    ],
    resources,
  };
  const annotations: Record<string, string> =
    opts.annotated === false
      ? {}
      : { 'dapr.io/enabled': 'true', 'dapr.io/app-id': appId, 'dapr.io/app-port': String(appPort), 'dapr.io/config': 'daprconfig' };
  return {
    metadata: { labels: appLabels(opts.name), annotations },
    spec: {
      ...(opts.node ? { nodeName: opts.node } : {}),
      containers: [
        { name: 'app', image: 'dapr-harness/system-under-test:0.1.0', ports: [{ name: 'http', containerPort: appPort }], resources },
        ...(opts.injected === false ? [] : [daprd]),
      ],
    },
  };
}

/** A Dapr app's Deployment (see daprAppPodTemplate). */
export function daprAppDeployment(namespace: string, opts: DaprAppOptions): Manifest {
  const labels = appLabels(opts.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name, namespace, labels },
    spec: { replicas: opts.replicas ?? 1, selector: { matchLabels: labels }, template: daprAppPodTemplate(opts) },
  };
}

/**
 * A Dapr app's Deployment and its pods. On the test cluster the controllers and kwok make the pods (on the fake
 * node unless `node` says otherwise) and this waits until they are ready; on the API server alone this writes the
 * pods and the Deployment's status as they would.
 */
export async function createDaprApp(conn: TestConnection, namespace: string, opts: DaprAppOptions): Promise<V1Pod[]> {
  const replicas = opts.replicas ?? 1;
  if (conn.controlPlane === 'cluster') {
    await apply(conn, daprAppDeployment(namespace, { ...opts, node: opts.node ?? (await fakeNode()) }));
    await waitForWorkload(conn, 'Deployment', namespace, opts.name, replicas);
    return livePods(conn, namespace, opts.name);
  }
  await apply(conn, daprAppDeployment(namespace, opts));
  const pods: V1Pod[] = [];
  for (let i = 0; i < replicas; i++) pods.push(await createAppPod(conn, namespace, opts, `${opts.name}-${i}`));
  await setWorkloadStatus(conn, { kind: 'Deployment', namespace, name: opts.name }, opts.ready === false ? 0 : replicas, replicas);
  return pods;
}

let podIpCounter = 10;

/** One pod of an app, made from its template as the ReplicaSet controller would, with the status a kubelet would report. */
export async function createAppPod(conn: ClusterConnection, namespace: string, opts: DaprAppOptions, podName: string): Promise<V1Pod> {
  const template = daprAppPodTemplate(opts);
  const pod = await conn.core.createNamespacedPod({
    namespace,
    body: { metadata: { ...template.metadata, name: podName, namespace }, spec: template.spec },
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

export async function livePods(conn: ClusterConnection, namespace: string, app: string): Promise<V1Pod[]> {
  const pods = await conn.core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${app}` });
  return pods.items.filter((p) => !p.metadata?.deletionTimestamp);
}

// --- workload status: written (API server alone) or waited for (test cluster) ---

function readWorkload(conn: ClusterConnection, ref: WorkloadRef): Promise<V1Deployment | V1StatefulSet> {
  return ref.kind === 'Deployment' ? conn.apps.readNamespacedDeployment(ref) : conn.apps.readNamespacedStatefulSet(ref);
}

/** Waits until the workload's controller reports `ready` of `ready` replicas for its current generation. */
export async function waitForWorkload(
  conn: ClusterConnection,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  ready: number,
  timeoutMs = 60_000,
): Promise<void> {
  await poll(
    `${kind} ${namespace}/${name} to have ${ready} ready replicas`,
    async () => {
      const w = await readWorkload(conn, { kind, namespace, name });
      const s = w.status;
      return (
        (s?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 1) && (s?.readyReplicas ?? 0) === ready && (s?.replicas ?? 0) === ready
      );
    },
    { timeoutMs },
  );
}

/** Writes the status a workload's controller would: `ready` of spec.replicas pods ready and available. */
export async function setWorkloadStatus(conn: ClusterConnection, ref: WorkloadRef, ready: number, replicas = ready): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const obj = await readWorkload(conn, ref);
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
        : {
            conditions: [
              {
                type: 'Available',
                status: available,
                reason: available === 'True' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
                lastTransitionTime: now,
                lastUpdateTime: now,
              },
            ],
          }),
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

/**
 * On the API server alone, plays the workload controller and the kubelet for one Deployment or StatefulSet while it
 * runs: keeps as many Ready pods as spec.replicas says and writes the status they add up to. Bounded: it stops
 * itself after `maxMs`.
 */
export function runReplicaController(
  conn: ClusterConnection,
  ref: WorkloadRef,
  app: DaprAppOptions,
  maxMs = 60_000,
): { stop(): Promise<void> } {
  let stopped = false;
  let serial = 100;
  const started = Date.now();
  const loop = (async () => {
    while (!stopped && Date.now() - started < maxMs) {
      const w = await readWorkload(conn, ref);
      const want = w.spec?.replicas ?? 1;
      const pods = await livePods(conn, ref.namespace, app.name);
      for (const extra of pods.slice(want))
        await conn.core.deleteNamespacedPod({ name: extra.metadata?.name ?? '', namespace: ref.namespace }).catch(() => undefined);
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

// --- Dapr resources ---

/** Dapr resources as the reference deployment has them, for a namespace. */
export function daprResources(namespace: string): Manifest[] {
  const meta = (name: string): { name: string; namespace: string } => ({ name, namespace });
  return [
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: meta('statestore'),
      spec: {
        type: 'state.redis',
        version: 'v1',
        metadata: [{ name: 'redisHost', value: 'redis-master.dapr-system.svc.cluster.local:6379' }],
      },
    } as Manifest,
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Component',
      metadata: meta('pubsub'),
      spec: {
        type: 'pubsub.jetstream',
        version: 'v1',
        metadata: [{ name: 'natsURL', value: 'nats://nats.dapr-system.svc.cluster.local:4222' }],
      },
      scopes: ['task-service', 'notification-service'],
    } as Manifest,
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: meta('daprconfig'),
      spec: { tracing: { samplingRate: '1' } },
    } as Manifest,
    {
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Resiliency',
      metadata: meta('resiliency'),
      spec: {
        policies: { retries: { pubsubRetry: { policy: 'constant', duration: '1s', maxRetries: 3 } } },
        targets: { components: { pubsub: { inbound: { retry: 'pubsubRetry' } } } },
      },
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
