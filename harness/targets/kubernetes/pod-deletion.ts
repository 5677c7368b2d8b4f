import { runtimeError } from '../../errors/harness-error';
import { sleep } from '../../process/wait/wait-strategy';
import { apiErrorMessage, isNotFound } from './api-errors';
import type { ClusterConnection } from './cluster-connection';
import {
  DEFAULT_RECOVERY_TIMEOUT_MS,
  describeRef,
  readReplicas,
  readyPodsOf,
  type WaitOptions,
  type WorkloadRef,
} from './workload-scaling';

export interface PodDeletion {
  namespace: string;
  pod: string;
  /** From the delete request until the pod object was gone. */
  goneMs: number;
  /** From the delete request until the owning workload had all its replicas ready again (when one was given). */
  recoveryMs?: number;
}

/**
 * Deletes a pod the way a node failure or `kubectl delete pod` would, waits until it is gone and, when `owner` is
 * given, until the owner has replaced it and is fully ready again. Every wait is bounded.
 */
export async function deletePod(
  conn: ClusterConnection,
  namespace: string,
  pod: string,
  opts: WaitOptions & { owner?: WorkloadRef; gracePeriodSeconds?: number } = {},
): Promise<PodDeletion> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let uid: string | undefined;
  try {
    uid = (await conn.core.readNamespacedPod({ name: pod, namespace })).metadata?.uid;
  } catch (err) {
    if (isNotFound(err))
      throw runtimeError(
        'POD_NOT_FOUND',
        `pod ${namespace}/${pod} does not exist`,
        `list the pods with \`kubectl get pods -n ${namespace}\``,
      );
    throw runtimeError(
      'CLUSTER_READ_FAILED',
      `could not read pod ${namespace}/${pod}: ${apiErrorMessage(err)}`,
      'the kubeconfig user needs get on pods',
    );
  }
  const t0 = Date.now();
  try {
    await conn.core.deleteNamespacedPod({
      name: pod,
      namespace,
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
    });
  } catch (err) {
    if (isNotFound(err))
      throw runtimeError(
        'POD_NOT_FOUND',
        `pod ${namespace}/${pod} does not exist`,
        `list the pods with \`kubectl get pods -n ${namespace}\``,
      );
    throw runtimeError(
      'POD_DELETE_FAILED',
      `could not delete pod ${namespace}/${pod}: ${apiErrorMessage(err)}`,
      'the kubeconfig user needs delete on pods',
    );
  }
  // A StatefulSet's replacement has the same name: the deleted pod is gone once its uid is.
  for (;;) {
    try {
      const current = await conn.core.readNamespacedPod({ name: pod, namespace });
      if (current.metadata?.uid !== uid) break;
    } catch (err) {
      if (isNotFound(err)) break;
      throw err;
    }
    if (Date.now() >= deadline) {
      throw runtimeError(
        'POD_DELETE_TIMEOUT',
        `pod ${namespace}/${pod} was still there ${timeoutMs / 1000}s after its deletion`,
        `its node may be gone or a finalizer holds it; see \`kubectl describe pod -n ${namespace} ${pod}\``,
      );
    }
    await sleep(opts.pollMs ?? 250, opts.signal);
  }
  const goneMs = Date.now() - t0;
  if (!opts.owner) return { namespace, pod, goneMs };
  const owner = opts.owner;
  // The owner's status may still count the deleted pod for a moment, so recovery is judged from the pods
  // themselves: as many Ready pods as desired, none of them the deleted one.
  for (;;) {
    const [r, ready] = [await readReplicas(conn, owner), await readyPodsOf(conn, owner)];
    const replacements = ready.filter((p) => p.metadata?.uid !== uid).length;
    if (replacements >= r.desired) return { namespace, pod, goneMs, recoveryMs: Date.now() - t0 };
    if (Date.now() >= deadline) {
      throw runtimeError(
        'RECOVERY_TIMEOUT',
        `${describeRef(owner)} did not recover within ${timeoutMs / 1000}s of deleting pod ${pod} (${replacements} of ${r.desired} ready)`,
        `see \`kubectl describe ${owner.kind.toLowerCase()} -n ${owner.namespace} ${owner.name}\``,
      );
    }
    await sleep(opts.pollMs ?? 250, opts.signal);
  }
}
