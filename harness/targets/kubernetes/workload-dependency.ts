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
export class WorkloadDependency implements DependencyControl {
  readonly name: string;
  private restoreTo: number | undefined;
  private stopped = false;

  constructor(
    private readonly conn: ClusterConnection,
    readonly ref: WorkloadRef,
    readonly kind: string,
    readonly address: string,
    private readonly opts: WaitOptions = {},
  ) {
    this.name = ref.name;
  }

  /** False between a stop() and the next start() by this harness. */
  get running(): boolean {
    return !this.stopped;
  }

  async stop(): Promise<void> {
    const previous = await scaleWorkload(this.conn, this.ref, 0);
    if (previous > 0) this.restoreTo = previous;
    this.stopped = true;
    await waitForReplicas(this.conn, this.ref, 0, this.opts);
  }

  async start(): Promise<void> {
    const replicas = this.restoreTo ?? 1;
    await scaleWorkload(this.conn, this.ref, replicas);
    await waitForReplicas(this.conn, this.ref, replicas, this.opts);
    this.stopped = false;
    this.restoreTo = undefined;
  }
}

/**
 * Where the harness reaches a StatefulSet's first pod on `port`: its Service name inside the cluster, or a
 * loopback port-forward from outside (StatefulSet pod names are stable, so a forward outlives a restarted pod).
 */
export type DependencyAddress = (namespace: string, statefulSet: string, port: number | undefined) => Promise<string>;

const serviceAddress: DependencyAddress = async (namespace, name, port) => `${name}.${namespace}.svc${port ? `:${port}` : ''}`;

/** The StatefulSets labelled redis or nats in the given namespaces, as dependencies. */
export async function discoverDependencies(
  conn: ClusterConnection,
  namespaces: string[],
  opts: WaitOptions = {},
  addressOf: DependencyAddress = serviceAddress,
): Promise<DependencyControl[]> {
  const out: DependencyControl[] = [];
  for (const namespace of [...new Set(namespaces)]) {
    let sets: V1StatefulSet[];
    try {
      sets = (await conn.apps.listNamespacedStatefulSet({ namespace, labelSelector: `${NAME_LABEL} in (${DEPENDENCY_NAMES.join(',')})` }))
        .items;
    } catch (err) {
      throw readFailed(`the StatefulSets in namespace ${namespace}`, err);
    }
    for (const s of sets) {
      const name = s.metadata?.name ?? '?';
      const kind = s.metadata?.labels?.[NAME_LABEL] ?? 'statefulset';
      const port = s.spec?.template.spec?.containers[0]?.ports?.[0]?.containerPort;
      out.push(new WorkloadDependency(conn, { kind: 'StatefulSet', namespace, name }, kind, await addressOf(namespace, name, port), opts));
    }
  }
  return out;
}
