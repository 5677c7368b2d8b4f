import { Metrics, type PodMetric, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';
import type { ResourceUsageSource, UsageReading } from '../deployment';
import type { ClusterConnection } from './cluster-connection';
import { readFailed } from './control-plane-preflight';
import { DAPR_APP_ID, DAPRD_CONTAINER } from './injection-check';
import { DEPENDENCY_NAMES } from './workload-dependency';

export const POD_METRICS_SOURCE = 'metrics-server (metrics.k8s.io/v1beta1 PodMetrics)';
const NAME_LABEL = 'app.kubernetes.io/name';
const MB = 1024 * 1024;

function quantity(q: string | undefined): number {
  return q ? Number(quantityToScalar(q)) : 0;
}

/** "15.012s" → 15012 ms (metrics-server writes the window as a Go duration in seconds). */
export function windowMs(window: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(window);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

/**
 * What a pod's containers count as in the cost table: the app container as its app id and daprd as
 * `<app id>-daprd` (pods annotated dapr.io/app-id), every container of a Redis or NATS pod as `redis`/`nats`
 * (label app.kubernetes.io/name). Other pods are not the deployment's and are left out.
 */
export function processOf(pod: V1Pod, container: string): string | undefined {
  const appId = pod.metadata?.annotations?.[DAPR_APP_ID];
  if (appId) return container === DAPRD_CONTAINER ? `${appId}-daprd` : appId;
  const name = pod.metadata?.labels?.[NAME_LABEL];
  return name && (DEPENDENCY_NAMES as readonly string[]).includes(name) ? name : undefined;
}

/**
 * PodMetrics as readings per process and pod: containers of one pod that count as the same process (an app with
 * two containers) are added up, since metrics-server measured them over the same window.
 */
export function podUsageReadings(metrics: PodMetric[], pods: V1Pod[]): UsageReading[] {
  const byName = new Map(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p]));
  const out = new Map<string, UsageReading>();
  for (const m of metrics) {
    const pod = byName.get(`${m.metadata.namespace}/${m.metadata.name}`);
    if (!pod) continue;
    const at = Date.parse(m.timestamp);
    const ms = windowMs(m.window);
    if (!Number.isFinite(at) || ms <= 0) continue;
    for (const c of m.containers) {
      const process = processOf(pod, c.name);
      if (!process) continue;
      const key = `${m.metadata.namespace}/${m.metadata.name}/${process}`;
      const r = out.get(key) ?? { process, pod: m.metadata.name, at, windowMs: ms, cores: 0, memoryMb: 0 };
      r.cores += quantity(c.usage.cpu);
      r.memoryMb += quantity(c.usage.memory) / MB;
      out.set(key, r);
    }
  }
  return [...out.values()];
}

/** Allocatable CPU of the nodes that run the given pods. */
export function nodeCores(nodes: V1Node[], pods: V1Pod[]): number | undefined {
  const used = new Set(pods.map((p) => p.spec?.nodeName).filter(Boolean));
  const cores = nodes.filter((n) => used.has(n.metadata?.name)).map((n) => quantity(n.status?.allocatable?.cpu));
  return cores.length > 0 ? cores.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * The apps' and sidecars' containers in `namespace` and the Redis/NATS pods in `dependencyNamespaces`, read from
 * metrics-server through the API server's aggregation layer. metrics-server averages each container's CPU over
 * its scrape window (10–60 s, commonly ~15 s), so readings are coarse: the cost built from them says so.
 */
export function podUsageSource(conn: ClusterConnection, namespace: string, dependencyNamespaces: string[]): ResourceUsageSource {
  const metrics = new Metrics(conn.kubeConfig);
  const namespaces = [...new Set([namespace, ...dependencyNamespaces])];
  let nodes: V1Node[] | undefined;
  return {
    source: POD_METRICS_SOURCE,
    async read() {
      const pods: V1Pod[] = [];
      const podMetrics: PodMetric[] = [];
      for (const ns of namespaces) {
        try {
          pods.push(...(await conn.core.listNamespacedPod({ namespace: ns })).items);
          podMetrics.push(...(await metrics.getPodMetrics(ns)).items);
        } catch (err) {
          throw readFailed(`the pod metrics of namespace ${ns} (${POD_METRICS_SOURCE}; is metrics-server installed?)`, err);
        }
      }
      const readings = podUsageReadings(podMetrics, pods);
      // A namespace-scoped user may not list nodes; the CPU budget then has no denominator, the rest stands.
      nodes ??= await conn.core.listNode().then(
        (l) => l.items,
        () => [],
      );
      const counted = new Set(readings.map((r) => r.pod));
      const cores = nodeCores(
        nodes,
        pods.filter((p) => counted.has(p.metadata?.name ?? '')),
      );
      return { readings, ...(cores !== undefined ? { nodeCores: cores } : {}) };
    },
  };
}
