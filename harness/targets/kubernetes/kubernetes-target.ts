import { silentProgress, type Progress } from '../../console/progress';
import { runtimeError, usageError } from '../../errors/harness-error';
import { registerSecret } from '../../secrets/redaction';
import { LifecycleStack } from '../../process/lifecycle-stack';
import {
  findSidecar,
  type AppEndpoint,
  type ComponentInfo,
  type DependencyControl,
  type Deployment,
  type InstanceReplacement,
  type ResourceDocument,
  type TraceSource,
} from '../deployment';
import { isNotFound } from './api-errors';
import { AutoscaleWatcher } from './autoscale-watcher';
import { connectCluster, type ClusterConnection } from './cluster-connection';
import { readDaprResources, readMtlsEnabled, readTrustAnchors } from './cluster-resources';
import {
  assertControlPlane,
  checkControlPlane,
  DEFAULT_CONTROL_PLANE_NAMESPACE,
  readFailed,
  type PreflightReport,
} from './control-plane-preflight';
import { assertInjection, checkInjection, type DaprApp, type InjectionReport } from './injection-check';
import { deletePod, type PodDeletion } from './pod-deletion';
import { readClusterTokens } from './token-secrets';
import { ContainerRestartControl } from './container-restarts';
import { podUsageSource } from './pod-usage';
import { clusterTraces } from './cluster-traces';
import { PodPortForward } from './pod-port-forward';
import { defaultReach, instanceKey, reachSidecars, type SidecarAccessOptions, type SidecarReach } from './sidecar-access';
import { podReplacement, type ReachedPod } from './pod-replacement';
import { discoverDependencies, type DependencyAddress } from './workload-dependency';
import {
  scaleDownAndRecover,
  scaleWorkload,
  waitForReplicas,
  type ScaleCycle,
  type WaitOptions,
  type WorkloadReplicas,
  type WorkloadRef,
} from './workload-scaling';

export interface KubernetesTargetOptions extends SidecarAccessOptions {
  kubeconfig?: string;
  context?: string;
  /** Namespace of the apps; default: the context's namespace, else "default". */
  namespace?: string;
  /** Where Dapr's control plane runs. Default dapr-system. */
  controlPlaneNamespace?: string;
  runId: string;
  runDir: string;
  progress?: Progress;
  signal?: AbortSignal;
  /** Bound on every recovery wait of the chaos controls. Default 120 s. */
  recoveryTimeoutMs?: number;
}

/** Chaos on the cluster: what a suite may do to the deployment besides stopping its dependencies. */
export interface KubernetesChaos {
  deletePod(pod: string, opts?: WaitOptions & { owner?: WorkloadRef }): Promise<PodDeletion>;
  scale(ref: WorkloadRef, replicas: number, opts?: WaitOptions): Promise<WorkloadReplicas>;
  scaleDownAndRecover(ref: WorkloadRef, opts?: WaitOptions): Promise<ScaleCycle>;
}

export interface KubernetesDeployment extends Deployment {
  target: 'kubernetes';
  namespace: string;
  reach: SidecarReach;
  daprVersion?: string;
  controlPlane: PreflightReport;
  injection: InjectionReport;
  chaos: KubernetesChaos;
  /** Starts recording an HPA's replica timeline; stop() it to get the timeline. */
  watchAutoscaling(hpa: string, deployment?: string): Promise<AutoscaleWatcher>;
  connection: ClusterConnection;
}

export interface ClusterInspection {
  connection: ClusterConnection;
  namespace: string;
  controlPlane: PreflightReport;
  injection: InjectionReport;
  resources: ResourceDocument[];
  components: ComponentInfo[];
  mtlsEnabled?: boolean;
  trustAnchors?: string;
}

/**
 * What `status --target kubernetes` shows and what the target checks first: the API server, the namespace, the
 * control plane and CRDs, injection, and the Dapr resources in force. Nothing is asserted: the reports say what
 * is wrong, and the caller decides (see assertControlPlane, assertInjection).
 */
/** The namespace of k8s/'s reference deployment. */
export const REFERENCE_NAMESPACE = 'dapr-harness';

export async function inspectKubernetes(
  opts: Pick<KubernetesTargetOptions, 'kubeconfig' | 'context' | 'namespace' | 'controlPlaneNamespace' | 'progress'>,
): Promise<ClusterInspection> {
  const progress = opts.progress ?? silentProgress;
  progress.update('kubernetes: reading the kubeconfig and reaching the API server');
  const conn = await connectCluster({ kubeconfig: opts.kubeconfig, context: opts.context });
  // Without --namespace or a namespace in the kubeconfig's context: where `deploy:k8s` puts the reference deployment.
  const namespace = opts.namespace ?? conn.loaded.namespace ?? REFERENCE_NAMESPACE;
  const controlPlaneNamespace = opts.controlPlaneNamespace ?? DEFAULT_CONTROL_PLANE_NAMESPACE;
  await requireNamespace(conn, namespace);
  progress.update(`kubernetes: checking the Dapr control plane in ${controlPlaneNamespace}`);
  const controlPlane = await checkControlPlane(conn, controlPlaneNamespace);
  progress.update(`kubernetes: checking sidecar injection in ${namespace}`);
  const injection = await checkInjection(conn, namespace);
  progress.update(`kubernetes: reading Dapr resources in ${namespace}`);
  const { resources, components } = await readDaprResources(conn, namespace);
  const [mtlsEnabled, trustAnchors] = await Promise.all([
    readMtlsEnabled(conn, controlPlaneNamespace),
    readTrustAnchors(conn, controlPlaneNamespace),
  ]);
  return {
    connection: conn,
    namespace,
    controlPlane,
    injection,
    resources,
    components,
    ...(mtlsEnabled !== undefined ? { mtlsEnabled } : {}),
    ...(trustAnchors ? { trustAnchors } : {}),
  };
}

/**
 * Connects to a cluster where Dapr and the apps already run: checks the control plane (like `dapr status -k`) and
 * the CRDs, that every Dapr-enabled Deployment has ready pods with a daprd sidecar, reads the Dapr resources in
 * force, and makes each sidecar reachable (port-forward, or directly when the harness runs in the cluster).
 */
export async function openKubernetesTarget(opts: KubernetesTargetOptions): Promise<KubernetesDeployment> {
  const progress = opts.progress ?? silentProgress;
  const {
    connection: conn,
    namespace,
    controlPlane,
    injection,
    resources,
    components,
    mtlsEnabled,
    trustAnchors,
  } = await inspectKubernetes(opts);
  assertControlPlane(controlPlane);
  for (const w of controlPlane.warnings) progress.log(`warning: ${w}`);
  assertInjection(injection);
  const waits: WaitOptions = { timeoutMs: opts.recoveryTimeoutMs, signal: opts.signal };
  const stack = new LifecycleStack();
  const reach = opts.reach ?? defaultReach();
  let apiToken = opts.apiToken ?? (process.env.DAPR_API_TOKEN || undefined);
  // What daprd presents to its app (the app-api-token secret): the harness sends it on its own direct calls to apps.
  let appApiToken = process.env.APP_API_TOKEN || undefined;
  if (!apiToken || !appApiToken) {
    // Not in the environment: the secrets the pods name, as daprd itself reads them.
    const fromCluster = await readClusterTokens(conn, namespace, injection.apps);
    for (const w of fromCluster.warnings) progress.log(`warning: ${w}`);
    apiToken ??= fromCluster.apiToken;
    appApiToken ??= fromCluster.appApiToken;
  }
  registerSecret(apiToken);
  registerSecret(appApiToken);
  // From outside the cluster a backing service's Service name does not resolve: the harness reaches its pod by port-forward.
  const forwarded: DependencyAddress = async (ns, name, port) => {
    if (port === undefined) return `${name}.${ns}.svc`;
    const forward = new PodPortForward(conn.kubeConfig, ns, `${name}-0`, port);
    stack.push(forward);
    return `127.0.0.1:${await forward.start()}`;
  };
  let dependencies: DependencyControl[];
  let access: Awaited<ReturnType<typeof reachSidecars>>;
  let traces: TraceSource | undefined;
  try {
    dependencies = await discoverDependencies(
      conn,
      [namespace, controlPlane.controlPlaneNamespace],
      waits,
      reach === 'port-forward' ? forwarded : undefined,
    );
    traces = await clusterTraces(conn, controlPlane.controlPlaneNamespace, reach, (f) => stack.push(f));
    progress.update('kubernetes: reaching the sidecars');
    access = await reachSidecars(conn.kubeConfig, injection.apps, { ...opts, reach, ...(apiToken ? { apiToken } : {}) });
  } catch (err) {
    await stack.stopAll();
    throw err;
  }
  for (const f of access.forwards) stack.push(f);
  const watchers = new Set<AutoscaleWatcher>();
  progress.done(
    `kubernetes: ${injection.apps.length} Dapr apps in ${namespace} (${access.reach}), Dapr ${controlPlane.daprVersion ?? 'version unknown'}, Kubernetes ${conn.serverVersion}`,
  );

  const apps = access.apps;
  let reached: Map<string, ReachedInstance>;
  try {
    reached = await containerControls(conn, injection.apps, apps, access.reach, apiToken, waits);
  } catch (err) {
    await stack.stopAll();
    throw err;
  }
  const processControls: DependencyControl[] = [...reached.values()].flatMap((r) => [r.app, r.sidecar]);
  const instanceReplacements = podReplacements(conn, injection.apps, apps, reached, access.instanceForwards, access.reach, waits);
  const watchAutoscaling = async (hpa: string, deployment = hpa): Promise<AutoscaleWatcher> => {
    const watcher = await new AutoscaleWatcher(conn, namespace, hpa, deployment).start();
    watchers.add(watcher);
    return watcher;
  };
  return {
    target: 'kubernetes',
    runId: opts.runId,
    runDir: opts.runDir,
    namespace,
    reach: access.reach,
    ...(access.reach === 'in-cluster' ? { inClusterSidecars: true } : {}),
    apps,
    components,
    resources,
    dependencies,
    processControls,
    instanceReplacements,
    controlPlane,
    injection,
    connection: conn,
    ...(traces ? { traces } : {}),
    ...(controlPlane.daprVersion ? { daprVersion: controlPlane.daprVersion } : {}),
    ...(mtlsEnabled !== undefined ? { mtlsEnabled } : {}),
    ...(trustAnchors ? { trustAnchors } : {}),
    ...(apiToken ? { apiToken } : {}),
    ...(appApiToken ? { appApiToken } : {}),
    chaos: {
      deletePod: (pod, o) => deletePod(conn, namespace, pod, { ...waits, ...o }),
      scale: async (ref, replicas, o) => {
        await scaleWorkload(conn, ref, replicas);
        return waitForReplicas(conn, ref, replicas, { ...waits, ...o });
      },
      scaleDownAndRecover: (ref, o) => scaleDownAndRecover(conn, ref, { ...waits, ...o }),
    },
    watchAutoscaling,
    autoscaling: { namespace, watch: watchAutoscaling },
    resourceUsage: podUsageSource(conn, namespace, [controlPlane.controlPlaneNamespace]),
    sidecar: (appId) => findSidecar(apps, appId),
    stop: async () => {
      await Promise.allSettled([...watchers].map((w) => w.stop()));
      await stack.stopAll();
    },
  };
}

async function requireNamespace(conn: ClusterConnection, namespace: string): Promise<void> {
  try {
    await conn.core.readNamespace({ name: namespace });
  } catch (err) {
    if (isNotFound(err)) {
      throw usageError(
        'NAMESPACE_NOT_FOUND',
        `namespace ${namespace} does not exist in the cluster at ${conn.loaded.server}`,
        'pass --namespace with the namespace of the Dapr apps (the reference deployment uses dapr-harness)',
      );
    }
    throw readFailed(`namespace ${namespace}`, err);
  }
}

/** What the harness reaches of an app as instance 0: its pod (which a replacement probe may change) and its containers. */
interface ReachedInstance {
  pod: ReachedPod;
  app: ContainerRestartControl;
  sidecar: ContainerRestartControl;
}

/**
 * For each app, its app and daprd containers in the pod the harness reaches as instance 0: the app is crashed
 * through its own fault endpoint and daprd is stopped through its shutdown API (`POST /v1.0/shutdown`), and the
 * kubelet restarts either, as it would after a crash.
 */
async function containerControls(
  conn: ClusterConnection,
  apps: DaprApp[],
  endpoints: AppEndpoint[],
  reach: SidecarReach,
  apiToken: string | undefined,
  waits: WaitOptions,
): Promise<Map<string, ReachedInstance>> {
  const reached = new Map<string, ReachedInstance>();
  for (const app of apps) {
    const pod = app.pods.find((p) => p.ready && p.hasDaprd);
    const endpoint = endpoints.find((e) => e.appId === app.appId && e.instance === 0);
    if (!pod || !endpoint) continue;
    const ref = { namespace: app.namespace, pod: pod.name };
    const current: ReachedPod = { name: pod.name, ...(pod.podIP ? { podIP: pod.podIP } : {}) };
    const shutdown = async (): Promise<void> => {
      const sidecarUrl = reach === 'in-cluster' && current.podIP ? `http://${current.podIP}:${pod.ports.http}` : endpoint.sidecar.httpUrl;
      const res = await fetch(`${sidecarUrl}/v1.0/shutdown`, {
        method: 'POST',
        headers: apiToken ? { 'dapr-api-token': apiToken } : {},
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      if (res.status >= 300)
        throw runtimeError(
          'SIDECAR_SHUTDOWN_FAILED',
          `daprd of ${app.appId} (pod ${current.name}) answered ${res.status} to POST /v1.0/shutdown`,
          "the harness needs the sidecar's API token (DAPR_API_TOKEN or the secret its pods name)",
        );
    };
    reached.set(app.appId, {
      pod: current,
      app: await ContainerRestartControl.create(conn, app.appId, { ...ref, role: 'app' }, { waits }),
      sidecar: await ContainerRestartControl.create(conn, app.appId, { ...ref, role: 'sidecar' }, { shutdown, waits }),
    });
  }
  return reached;
}

/**
 * Each app's instance 0 as a pod the harness may delete mid-traffic; once the Deployment has replaced it, the
 * port-forwards, container controls and (in-cluster) app address of instance 0 follow the new pod.
 */
function podReplacements(
  conn: ClusterConnection,
  apps: DaprApp[],
  endpoints: AppEndpoint[],
  reached: Map<string, ReachedInstance>,
  instanceForwards: Map<string, PodPortForward[]>,
  reach: SidecarReach,
  waits: WaitOptions,
): InstanceReplacement[] {
  return apps.flatMap((app) => {
    const r = reached.get(app.appId);
    if (!r) return [];
    const retarget = async (pod: ReachedPod): Promise<void> => {
      for (const f of instanceForwards.get(instanceKey(app.appId, 0)) ?? []) f.retarget(pod.name);
      await r.app.retarget(pod.name);
      await r.sidecar.retarget(pod.name);
      r.pod.name = pod.name;
      r.pod.podIP = pod.podIP;
      const endpoint = endpoints.find((e) => e.appId === app.appId && e.instance === 0);
      // In-cluster the app is reached at its pod's address; through a port-forward the local port stays.
      if (endpoint && reach === 'in-cluster' && pod.podIP && app.appPort) endpoint.appUrl = `http://${pod.podIP}:${app.appPort}`;
    };
    const others = endpoints.filter((e) => e.appId === app.appId && e.instance !== 0).length;
    const otherInstances = app.pods
      .filter((p) => p.ready && p.hasDaprd && p.name !== r.pod.name)
      .slice(0, others)
      .map((p) => p.name);
    return [podReplacement(conn, app, { ...r.pod }, { otherInstances, retarget, waits })];
  });
}
