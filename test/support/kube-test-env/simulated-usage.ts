import type { ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { isNotFound } from '../../../harness/targets/kubernetes/api-errors';
import { deleteObject } from '../../../harness/targets/kubernetes/server-side-apply';
import { applyClusterObject } from '../../../harness/cluster/cluster-apply';

export interface SimulatedUsage {
  /** CPU each container uses, as a quantity: "800m". */
  cpu: string;
  /** Working set of each container; metrics-server drops containers that report none. Default 32Mi. */
  memory?: string;
}

const API_VERSION = 'kwok.x-k8s.io/v1alpha1';
const KIND = 'ClusterResourceUsage';

function usageObject(namespace: string): { apiVersion: string; kind: string; metadata: { name: string } } {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name: `simulated-usage-${namespace}` } };
}

/**
 * The load a test puts on the pods of a namespace: kwok reports this usage for every container of every pod
 * there (new ones included) in the node metrics metrics-server scrapes, so the HPA sees it within a scrape
 * or two. Writing it again changes it; clearSimulatedUsage ends it.
 */
export async function setSimulatedUsage(conn: ClusterConnection, namespace: string, usage: SimulatedUsage): Promise<void> {
  await applyClusterObject(conn, {
    ...usageObject(namespace),
    spec: {
      selector: { matchNamespaces: [namespace] },
      usages: [{ usage: { cpu: { value: usage.cpu }, memory: { value: usage.memory ?? '32Mi' } } }],
    },
  } as ReturnType<typeof usageObject>);
}

/** Like setSimulatedUsage, with each named container's own usage (a container not named reports none). */
export async function setSimulatedContainerUsage(
  conn: ClusterConnection,
  namespace: string,
  byContainer: Record<string, SimulatedUsage>,
): Promise<void> {
  await applyClusterObject(conn, {
    ...usageObject(namespace),
    spec: {
      selector: { matchNamespaces: [namespace] },
      usages: Object.entries(byContainer).map(([container, u]) => ({
        containers: [container],
        usage: { cpu: { value: u.cpu }, memory: { value: u.memory ?? '32Mi' } },
      })),
    },
  } as ReturnType<typeof usageObject>);
}

export async function clearSimulatedUsage(conn: ClusterConnection, namespace: string): Promise<void> {
  try {
    await deleteObject(conn, usageObject(namespace));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
