import type { KubernetesObject } from '@kubernetes/client-node';
import type { ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { applyObject } from '../../../harness/targets/kubernetes/server-side-apply';

/** The field manager of what the test env itself writes (nodes, registrations), apart from what tests write. */
export const TEST_ENV_FIELD_MANAGER = 'dapr-harness-test-env';

export function applyTestEnvObject(conn: ClusterConnection, obj: KubernetesObject): Promise<KubernetesObject> {
  return applyObject(conn, obj, { fieldManager: TEST_ENV_FIELD_MANAGER, force: true });
}
