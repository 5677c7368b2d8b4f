import type { V1StatefulSet } from '@kubernetes/client-node';
import type { DependencyControl } from '../deployment';
import type { ClusterConnection } from './cluster-connection';
import { readFailed } from './control-plane-preflight';
import { scaleWorkload, waitForReplicas, type WaitOptions, type WorkloadRef } from './workload-scaling';

/** Backing services of the reference deployment, by their app.kubernetes.io/name label (k8s/dapr-system/README.md). */
export const DEPENDENCY_NAMES = ['redis', 'nats'] as const;
const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * A workload as a chaos dependency: stop scales it to 0 and waits until its last pod is gone; start scales it back
 * to what it had and waits until every replica is ready. Both waits are bounded.
 */
export function workloadDependency(conn: ClusterConnection, ref: WorkloadRef, kind: string, address: string, opts: WaitOptions = {}): DependencyControl {
  let restoreTo: number | undefined;
  return {
    name: ref.name,
    kind,
    address,
    async stop(): Promise<void> {
      const previous = await scaleWorkload(conn, ref, 0);
      if (previous > 0) restoreTo = previous;
      await waitForReplicas(conn, ref, 0, opts);
    },
    async start(): Promise<void> {
      const replicas = restoreTo ?? 1;
      await scaleWorkload(conn, ref, replicas);
      await waitForReplicas(conn, ref, replicas, opts);
      restoreTo = undefined;
    },
  };
}

/** The StatefulSets labelled redis or nats in the given namespaces, as dependencies. */
export async function discoverDependencies(conn: ClusterConnection, namespaces: string[], opts: WaitOptions = {}): Promise<DependencyControl[]> {
  const out: DependencyControl[] = [];
  for (const namespace of [...new Set(namespaces)]) {
    let sets: V1StatefulSet[];
    try {
      sets = (await conn.apps.listNamespacedStatefulSet({ namespace, labelSelector: `${NAME_LABEL} in (${DEPENDENCY_NAMES.join(',')})` })).items;
    } catch (err) {
      throw readFailed(`the StatefulSets in namespace ${namespace}`, err);
    }
    for (const s of sets) {
      const name = s.metadata?.name ?? '?';
      const kind = s.metadata?.labels?.[NAME_LABEL] ?? 'statefulset';
      const port = s.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort;
      out.push(workloadDependency(conn, { kind: 'StatefulSet', namespace, name }, kind, `${name}.${namespace}.svc${port ? `:${port}` : ''}`, opts));
    }
  }
  return out;
}
