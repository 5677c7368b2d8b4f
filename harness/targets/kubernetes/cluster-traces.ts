import type { ZipkinSpan } from '../../observability/zipkin-collector';
import type { TraceSource } from '../deployment';
import type { ClusterConnection } from './cluster-connection';
import { readFailed } from './control-plane-preflight';
import { PodPortForward } from './pod-port-forward';

/** The span collector of k8s/dapr-system/zipkin.yaml, found by its label. */
export const COLLECTOR_LABEL = 'app.kubernetes.io/name=zipkin';
const COLLECTOR_PORT = 9411;

/**
 * Spans from the cluster's span collector, read with Zipkin's query API through a port-forward to its ready pod
 * (or its Service from inside the cluster). Undefined when the namespace runs no ready collector: the tracing suite
 * then says where the sidecars export to and that the harness cannot read it.
 */
export async function clusterTraces(
  conn: ClusterConnection,
  namespace: string,
  reach: 'port-forward' | 'in-cluster',
  keep: (forward: PodPortForward) => void,
): Promise<TraceSource | undefined> {
  let pods;
  try {
    pods = (await conn.core.listNamespacedPod({ namespace, labelSelector: COLLECTOR_LABEL })).items;
  } catch (err) {
    throw readFailed(`the span collector's pods in namespace ${namespace}`, err);
  }
  const ready = pods.find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const name = ready?.metadata?.name;
  if (!name) return undefined;
  let base: string;
  if (reach === 'in-cluster') base = `http://zipkin.${namespace}.svc:${COLLECTOR_PORT}`;
  else {
    const forward = new PodPortForward(conn.kubeConfig, namespace, name, COLLECTOR_PORT);
    keep(forward);
    base = `http://127.0.0.1:${await forward.start()}`;
  }
  return {
    async trace(traceId: string): Promise<ZipkinSpan[]> {
      const res = await fetch(`${base}/api/v2/trace/${traceId}`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`the span collector ${namespace}/${name} answered ${res.status} for trace ${traceId}`);
      return (await res.json()) as ZipkinSpan[];
    },
  };
}
