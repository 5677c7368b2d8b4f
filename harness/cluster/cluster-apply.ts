import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterConnection } from '../targets/kubernetes/cluster-connection';
import { applyObject } from '../targets/kubernetes/server-side-apply';

/** The field manager of what a cluster writes into itself (nodes, registrations, CoreDNS), apart from what users write. */
export const CLUSTER_FIELD_MANAGER = 'dapr-harness-cluster';

export function applyClusterObject(conn: ClusterConnection, obj: KubernetesObject): Promise<KubernetesObject> {
  return applyObject(conn, obj, { fieldManager: CLUSTER_FIELD_MANAGER, force: true });
}
