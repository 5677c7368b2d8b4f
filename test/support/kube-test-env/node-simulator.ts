import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { ManagedProcess } from '../../../harness/process/managed-process';
import type { ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { applyClusterObject } from '../../../harness/cluster/cluster-apply';
import type { ClusterCertificates } from '../../../harness/cluster/cluster-certificates';
import { forHttpsOk } from '../../../harness/process/wait/wait-for-https';
import { pollStartup } from '../../../harness/cluster/startup-poll';

/** The annotation kwok is told to manage nodes by, as kwokctl marks its nodes. */
export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
/** metrics-server scrapes a node at this path instead of the kubelet's /metrics/resource. */
const RESOURCE_METRICS_PATH_ANNOTATION = 'metrics.k8s.io/resource-metrics-path';
const POD_CIDR = '10.244.0.0/16';
/** What a fake node offers: room for well over the 50 replicas an autoscale test asks for. */
const NODE_ALLOCATABLE = { cpu: '64', memory: '256Gi', pods: '250' };

export interface NodeSimulatorOptions {
  binary: string;
  kubeconfig: string;
  certs: ClusterCertificates;
  caPem: string;
  port: number;
  dir: string;
  logDir: string;
}

/**
 * kwok plays the kubelet of every node annotated kwok.x-k8s.io/node=fake: it keeps the node Ready, gives pods
 * bound to it an IP and marks them Running and Ready, finishes their deletion, and serves per-node resource
 * metrics in the kubelet's format, computed from the ClusterResourceUsage objects (simulated-usage.ts).
 */
export function nodeSimulatorProcess(opts: NodeSimulatorOptions): ManagedProcess {
  const config = join(opts.dir, 'kwok.yaml');
  writeFileSync(config, kwokConfigYaml());
  return new ManagedProcess({
    name: 'kwok',
    command: opts.binary,
    args: [
      `--kubeconfig=${opts.kubeconfig}`,
      `--config=${config}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
      '--node-ip=127.0.0.1',
      `--node-port=${opts.port}`,
      `--server-address=127.0.0.1:${opts.port}`,
      `--tls-cert-file=${opts.certs.componentCert}`,
      `--tls-private-key-file=${opts.certs.componentKey}`,
      `--cidr=${POD_CIDR}`,
      '--node-lease-duration-seconds=40',
      // Read from the API server, so a test changes a pod's simulated usage by writing an object.
      '--enable-crds=ClusterResourceUsage',
    ],
    logFile: join(opts.logDir, 'kwok.log'),
    wait: forHttpsOk(`https://127.0.0.1:${opts.port}/healthz`, opts.caPem),
    startTimeoutMs: 60_000,
    stopGraceMs: 5_000,
  });
}

/**
 * kwok's config: the kubelet's resource metrics (the series metrics-server reads) for each node, from the usage
 * kwok simulates. CPU is a counter kwok integrates over time, so a rate over two scrapes is the usage set.
 */
export function kwokConfigYaml(): string {
  const containerLabels = [
    { name: 'container', value: 'container.name' },
    { name: 'namespace', value: 'pod.metadata.namespace' },
    { name: 'pod', value: 'pod.metadata.name' },
  ];
  const metric = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Metric',
    metadata: { name: 'resource-metrics' },
    spec: {
      path: '/metrics/nodes/{nodeName}/metrics/resource',
      metrics: [
        { name: 'node_cpu_usage_seconds_total', kind: 'counter', dimension: 'node', value: 'node.CumulativeUsage("cpu")' },
        { name: 'node_memory_working_set_bytes', kind: 'gauge', dimension: 'node', value: 'node.Usage("memory")' },
        {
          name: 'container_cpu_usage_seconds_total',
          kind: 'counter',
          dimension: 'container',
          labels: containerLabels,
          value: 'pod.CumulativeUsage("cpu", container.name)',
        },
        {
          name: 'container_memory_working_set_bytes',
          kind: 'gauge',
          dimension: 'container',
          labels: containerLabels,
          value: 'pod.Usage("memory", container.name)',
        },
      ],
    },
  };
  return stringify(metric);
}

export function fakeNodeManifest(name: string): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        [FAKE_NODE_ANNOTATION]: 'fake',
        'node.alpha.kubernetes.io/ttl': '0',
        [RESOURCE_METRICS_PATH_ANNOTATION]: `/metrics/nodes/${name}/metrics/resource`,
      },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    status: { allocatable: NODE_ALLOCATABLE, capacity: NODE_ALLOCATABLE },
  };
}

/** kwok's CRDs (copied from its module at build time), applied and Established before kwok starts watching them. */
export async function installKwokCrds(conn: ClusterConnection, crdDir: string, signal?: AbortSignal): Promise<void> {
  for (const file of readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const crd = parse(readFileSync(join(crdDir, file), 'utf8')) as KubernetesObject;
    await applyClusterObject(conn, crd);
    await pollStartup(
      `CRD ${crd.metadata?.name} to be Established`,
      async () => {
        const got = await conn.apiextensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
        return (got.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs: 30_000, signal },
    );
  }
}

export async function createFakeNodes(conn: ClusterConnection, names: string[], signal?: AbortSignal): Promise<void> {
  for (const name of names) await applyClusterObject(conn, fakeNodeManifest(name));
  for (const name of names) {
    await pollStartup(
      `node ${name} to be Ready (kwok)`,
      async () => {
        const node = await conn.core.readNode({ name });
        return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      },
      { timeoutMs: 60_000, signal },
    );
  }
}
