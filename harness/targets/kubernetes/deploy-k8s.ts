import type { KubernetesObject } from '@kubernetes/client-node';
import { silentProgress, type Progress } from '../../console/progress';
import { runtimeError } from '../../errors/harness-error';
import { sleep } from '../../process/wait/wait-strategy';
import { apiErrorMessage, apiStatus, isNotFound } from './api-errors';
import { connectCluster, type ClusterConnection } from './cluster-connection';
import type { KubeConfigChoice } from './kube-config';
import { renderKustomization } from './kustomize-render';
import { applyObject, deleteObject, UnservedKindError } from './server-side-apply';
import { readReplicas, waitForReplicas } from './workload-scaling';

export interface K8sDeployOptions extends KubeConfigChoice {
  /** Folder of the kustomization. Default k8s. */
  dir?: string;
  progress?: Progress;
  /** Take over fields another manager owns (kubectl apply --server-side --force-conflicts). Default false. */
  force?: boolean;
  /** Server-side dry run: the API server validates and admits everything, and stores nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type ObjectAction = 'applied' | 'unchanged' | 'deleted' | 'absent';

export interface ObjectOutcome {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  action: ObjectAction;
}

export const FIELD_MANAGER = 'dapr-harness';
const CRD_ESTABLISH_TIMEOUT_MS = 30_000;

/** Objects others depend on go first: namespaces, then CRDs (waited for), then what lives in them. */
const APPLY_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'Service',
];

/** Renders the kustomization and server-side applies every object, printing each. */
export async function deployK8s(opts: K8sDeployOptions = {}): Promise<ObjectOutcome[]> {
  const progress = opts.progress ?? silentProgress;
  const objects = orderForApply(await renderKustomization(opts.dir ?? 'k8s'));
  const conn = await connectCluster(opts);
  const outcomes: ObjectOutcome[] = [];
  for (const obj of objects) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const before = await currentVersion(conn, obj);
    let applied: KubernetesObject;
    try {
      applied = await applyObject(conn, obj, { fieldManager: FIELD_MANAGER, force: opts.force ?? false, dryRun: opts.dryRun ?? false });
    } catch (err) {
      throw applyFailed(obj, err, conn);
    }
    const unchanged = before !== undefined && before === applied.metadata?.resourceVersion;
    const outcome = describe(obj, unchanged ? 'unchanged' : 'applied');
    outcomes.push(outcome);
    progress.log(`${outcome.action} ${label(outcome)}${opts.dryRun ? ' (dry run)' : ''}`);
    if (obj.kind === 'CustomResourceDefinition' && !opts.dryRun) await waitEstablished(conn, obj.metadata?.name ?? '', opts.signal);
  }
  return outcomes;
}

/** Deletes every object of the kustomization, in the reverse order of applying; objects already gone are reported as absent. */
export async function undeployK8s(opts: K8sDeployOptions = {}): Promise<ObjectOutcome[]> {
  const progress = opts.progress ?? silentProgress;
  const objects = orderForApply(await renderKustomization(opts.dir ?? 'k8s')).reverse();
  const conn = await connectCluster(opts);
  const outcomes: ObjectOutcome[] = [];
  for (const obj of objects) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    let action: ObjectAction = 'deleted';
    try {
      await deleteObject(conn, obj, { dryRun: opts.dryRun ?? false });
    } catch (err) {
      // No resource for its kind (its CRD went first): no such object can exist.
      if (!isNotFound(err) && !(err instanceof UnservedKindError))
        throw runtimeError(
          'DELETE_FAILED',
          `could not delete ${label(describe(obj, 'deleted'))}: ${apiErrorMessage(err)}`,
          'the kubeconfig user needs delete on it; see `kubectl auth can-i delete ...`',
        );
      action = 'absent';
    }
    const outcome = describe(obj, action);
    outcomes.push(outcome);
    progress.log(`${action} ${label(outcome)}${opts.dryRun ? ' (dry run)' : ''}`);
  }
  return outcomes;
}

export function orderForApply(objects: KubernetesObject[]): KubernetesObject[] {
  const rank = (o: KubernetesObject): number => {
    const i = APPLY_ORDER.indexOf(o.kind ?? '');
    return i === -1 ? APPLY_ORDER.length : i;
  };
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(({ o }) => o);
}

async function currentVersion(conn: ClusterConnection, obj: KubernetesObject): Promise<string | undefined> {
  try {
    const found = await conn.objects.read({
      apiVersion: obj.apiVersion ?? '',
      kind: obj.kind ?? '',
      metadata: { name: obj.metadata?.name ?? '', ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}) },
    });
    return found.metadata?.resourceVersion;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the CRD is Established and discovery lists its kind: objects of the new kind applied right after
 * would otherwise meet a 404 from discovery for a moment.
 */
async function waitEstablished(conn: ClusterConnection, name: string, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + CRD_ESTABLISH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const crd = await conn.apiextensions.readCustomResourceDefinition({ name });
    if ((crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) {
      const served = crd.spec.versions.filter((v) => v.served).map((v) => `${crd.spec.group}/${v.name}`);
      const discovered = await Promise.all(
        served.map((apiVersion) => conn.objects.find(apiVersion, crd.spec.names.kind).catch(() => undefined)),
      );
      if (discovered.every(Boolean)) return;
    }
    await sleep(200, signal);
  }
  throw runtimeError(
    'CRD_NOT_ESTABLISHED',
    `CRD ${name} was not Established and discoverable within ${CRD_ESTABLISH_TIMEOUT_MS / 1000}s of applying it`,
    `see \`kubectl describe crd ${name}\``,
  );
}

function applyFailed(obj: KubernetesObject, err: unknown, conn: ClusterConnection): Error {
  const what = label(describe(obj, 'applied'));
  const message = apiErrorMessage(err);
  if (err instanceof UnservedKindError) {
    const dapr = (obj.apiVersion ?? '').startsWith('dapr.io/');
    return runtimeError(
      'KIND_NOT_SERVED',
      `${what}: the cluster at ${conn.loaded.server} does not serve ${obj.apiVersion} ${obj.kind}`,
      dapr
        ? 'install Dapr (its CRDs come with the Helm chart, k8s/dapr-system/README.md) before applying the reference deployment'
        : 'install the CRD or API that provides it first',
    );
  }
  if (apiStatus(err) === 409)
    return runtimeError(
      'APPLY_CONFLICT',
      `${what}: ${message}`,
      'another field manager owns these fields; re-run with force to take them over, or change them with that manager',
    );
  return runtimeError('APPLY_FAILED', `${what}: ${message}`, "fix the manifest (see the API server's message) and apply again");
}

function describe(obj: KubernetesObject, action: ObjectAction): ObjectOutcome {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    name: obj.metadata?.name ?? '',
    ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
    action,
  };
}

function label(o: ObjectOutcome): string {
  return `${o.kind}/${o.name}${o.namespace ? ` (namespace ${o.namespace})` : ''}`;
}

/** How long `deploy:k8s` waits for the Deployments it applied to be Ready before it says which are not. */
export const DEPLOY_READY_TIMEOUT_MS = 5 * 60_000;

/**
 * Waits until every Deployment among the applied objects has all its replicas Ready and available (what `kubectl
 * rollout status` waits for), so a run started right after `deploy:k8s` meets running sidecars, not starting pods.
 */
export async function waitForDeployments(
  outcomes: ObjectOutcome[],
  opts: KubeConfigChoice & { progress?: Progress; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const progress = opts.progress ?? silentProgress;
  const deployments = outcomes.filter((o) => o.kind === 'Deployment' && o.namespace);
  if (deployments.length === 0) return;
  const conn = await connectCluster(opts);
  const deadline = Date.now() + (opts.timeoutMs ?? DEPLOY_READY_TIMEOUT_MS);
  for (const [i, d] of deployments.entries()) {
    const ref = { kind: 'Deployment' as const, namespace: d.namespace ?? '', name: d.name };
    progress.update(`waiting for the Deployments to be Ready (${i} of ${deployments.length}): ${d.namespace}/${d.name}`);
    const desired = (await readReplicas(conn, ref)).desired;
    await waitForReplicas(conn, ref, desired, {
      timeoutMs: Math.max(1000, deadline - Date.now()),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
  progress.log(`${deployments.length} Deployments Ready`);
}
