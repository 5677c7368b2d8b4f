import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { runtimeError } from '../../errors/harness-error';
import { sleep } from '../../process/wait/wait-strategy';
import { apiErrorMessage, isNotFound } from './api-errors';
import type { ClusterConnection } from './cluster-connection';
import type { WorkloadKind } from './control-plane-preflight';
import { labelSelectorString } from './label-selector';

export interface WorkloadRef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
}

export interface WorkloadReplicas {
  desired: number;
  replicas: number;
  ready: number;
  available: number;
  /** The controller has seen the latest spec (status.observedGeneration >= metadata.generation). */
  observed: boolean;
}

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_RECOVERY_TIMEOUT_MS = 120_000;
const DEFAULT_POLL_MS = 250;

export function describeRef(ref: WorkloadRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

async function readWorkload(conn: ClusterConnection, ref: WorkloadRef): Promise<V1Deployment | V1StatefulSet> {
  try {
    return ref.kind === 'Deployment' ? await conn.apps.readNamespacedDeployment(ref) : await conn.apps.readNamespacedStatefulSet(ref);
  } catch (err) {
    if (isNotFound(err))
      throw runtimeError(
        'WORKLOAD_NOT_FOUND',
        `${describeRef(ref)} does not exist`,
        `check the name with \`kubectl get ${ref.kind.toLowerCase()} -n ${ref.namespace}\``,
      );
    throw runtimeError(
      'CLUSTER_READ_FAILED',
      `could not read ${describeRef(ref)}: ${apiErrorMessage(err)}`,
      'the kubeconfig user needs get on it',
    );
  }
}

/** The workload's pods that are Ready and not being deleted. */
export async function readyPodsOf(conn: ClusterConnection, ref: WorkloadRef): Promise<V1Pod[]> {
  const obj = await readWorkload(conn, ref);
  const pods = await conn.core.listNamespacedPod({ namespace: ref.namespace, labelSelector: labelSelectorString(obj.spec?.selector) });
  return pods.items.filter(
    (p) => !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
}

export async function readReplicas(conn: ClusterConnection, ref: WorkloadRef): Promise<WorkloadReplicas> {
  const obj = await readWorkload(conn, ref);
  const s = obj.status;
  return {
    desired: obj.spec?.replicas ?? 1,
    replicas: s?.replicas ?? 0,
    ready: s?.readyReplicas ?? 0,
    available: s?.availableReplicas ?? 0,
    observed: (s?.observedGeneration ?? 0) >= (obj.metadata?.generation ?? 0),
  };
}

/** Sets spec.replicas through the scale subresource (what `kubectl scale` and the HPA do); resolves with the previous count. */
export async function scaleWorkload(conn: ClusterConnection, ref: WorkloadRef, replicas: number): Promise<number> {
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`replicas must be a whole number >= 0, not ${replicas}`);
  try {
    const scale =
      ref.kind === 'Deployment' ? await conn.apps.readNamespacedDeploymentScale(ref) : await conn.apps.readNamespacedStatefulSetScale(ref);
    const previous = scale.spec?.replicas ?? 0;
    const body = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: ref.name, namespace: ref.namespace },
      spec: { replicas },
    };
    if (ref.kind === 'Deployment') await conn.apps.replaceNamespacedDeploymentScale({ ...ref, body });
    else await conn.apps.replaceNamespacedStatefulSetScale({ ...ref, body });
    return previous;
  } catch (err) {
    if (isNotFound(err))
      throw runtimeError(
        'WORKLOAD_NOT_FOUND',
        `${describeRef(ref)} does not exist`,
        `check the name with \`kubectl get ${ref.kind.toLowerCase()} -n ${ref.namespace}\``,
      );
    throw runtimeError(
      'SCALE_FAILED',
      `could not scale ${describeRef(ref)} to ${replicas}: ${apiErrorMessage(err)}`,
      'the kubeconfig user needs update on the scale subresource',
    );
  }
}

/**
 * Waits until exactly `replicas` pods exist and all are ready (available, for a Deployment), bounded by the timeout.
 * Scaling to 0 waits for the last pod to go.
 */
export async function waitForReplicas(
  conn: ClusterConnection,
  ref: WorkloadRef,
  replicas: number,
  opts: WaitOptions = {},
): Promise<WorkloadReplicas> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let last: WorkloadReplicas | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    last = await readReplicas(conn, ref);
    const availableOk = ref.kind === 'StatefulSet' || last.available === replicas;
    if (last.observed && last.desired === replicas && last.replicas === replicas && last.ready === replicas && availableOk) return last;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(opts.pollMs ?? DEFAULT_POLL_MS, Math.max(0, deadline - Date.now())), opts.signal);
  }
  throw runtimeError(
    'RECOVERY_TIMEOUT',
    `${describeRef(ref)} did not reach ${replicas} ready replicas within ${timeoutMs / 1000}s (now ${last.replicas} pods, ${last.ready} ready, ${last.available} available, spec ${last.desired})`,
    `look at \`kubectl describe ${ref.kind.toLowerCase()} -n ${ref.namespace} ${ref.name}\` and its pods' events`,
  );
}

export interface ScaleCycle {
  ref: WorkloadRef;
  from: number;
  /** From the scale-down request until no pod was left. */
  downMs: number;
  /** From the scale-up request until every replica was ready again. */
  recoveryMs: number;
}

/** Scales a workload to 0, waits for it to be gone, scales it back and waits until it has recovered. */
export async function scaleDownAndRecover(conn: ClusterConnection, ref: WorkloadRef, opts: WaitOptions = {}): Promise<ScaleCycle> {
  const t0 = Date.now();
  const from = await scaleWorkload(conn, ref, 0);
  try {
    await waitForReplicas(conn, ref, 0, opts);
  } catch (err) {
    await scaleWorkload(conn, ref, from).catch(() => undefined);
    throw err;
  }
  const downMs = Date.now() - t0;
  const t1 = Date.now();
  await scaleWorkload(conn, ref, from);
  await waitForReplicas(conn, ref, from, opts);
  return { ref, from, downMs, recoveryMs: Date.now() - t1 };
}
