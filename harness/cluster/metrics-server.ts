import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ManagedProcess } from '../process/managed-process';
import type { ClusterConnection } from '../targets/kubernetes/cluster-connection';
import { applyClusterObject } from './cluster-apply';
import { componentArgs, type ComponentOptions } from './control-plane';
import { forHttpsOk } from '../process/wait/wait-for-https';
import { pollStartup } from './startup-poll';

export const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';
/** metrics-server's minimum: how often it scrapes each node, and the window its CPU rates cover. */
export const METRICS_RESOLUTION = '10s';

export type MetricsServerOptions = ComponentOptions;

/**
 * metrics-server scrapes each node's resource metrics (kwok serves them, at the address and port kwok wrote
 * into the node's status) and serves metrics.k8s.io through the API server's aggregation layer, which is where
 * the HPA controller reads pod CPU from. Both of its TLS hops are verified against the test CA.
 */
export function metricsServerProcess(opts: MetricsServerOptions): ManagedProcess {
  return new ManagedProcess({
    name: 'metrics-server',
    command: opts.binary,
    args: [
      ...componentArgs(opts),
      '--kubelet-preferred-address-types=InternalIP',
      '--kubelet-use-node-status-port',
      `--kubelet-certificate-authority=${opts.certs.caCert}`,
      `--metric-resolution=${METRICS_RESOLUTION}`,
      '--kubelet-request-timeout=5s',
    ],
    logFile: join(opts.logDir, 'metrics-server.log'),
    wait: forHttpsOk(`https://127.0.0.1:${opts.port}/livez`, opts.caPem),
    startTimeoutMs: 60_000,
    stopGraceMs: 5_000,
  });
}

/**
 * The registration a metrics-server install makes: an APIService for metrics.k8s.io backed by a Service. With
 * no kube-proxy, the Service is an ExternalName for loopback; the aggregator dials it and verifies the serving
 * certificate by the Service's DNS name against caBundle.
 */
export function metricsApiObjects(port: number, caPem: string): KubernetesObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'metrics-server' } },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port, protocol: 'TCP' }] },
    } as KubernetesObject,
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: METRICS_API_SERVICE, labels: { 'app.kubernetes.io/name': 'metrics-server' } },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: 'metrics-server', namespace: 'kube-system', port },
        caBundle: Buffer.from(caPem).toString('base64'),
      },
    } as KubernetesObject,
  ];
}

/** Registers metrics.k8s.io and waits until the aggregator reports it Available. */
export async function registerMetricsApi(conn: ClusterConnection, port: number, caPem: string, signal?: AbortSignal): Promise<void> {
  for (const obj of metricsApiObjects(port, caPem)) await applyClusterObject(conn, obj);
  await pollStartup(`APIService ${METRICS_API_SERVICE} to be Available`, () => metricsApiAvailable(conn), { timeoutMs: 60_000, signal });
}

export async function metricsApiAvailable(conn: ClusterConnection): Promise<boolean> {
  const svc = (await conn.objects.read({
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: METRICS_API_SERVICE },
  })) as { status?: { conditions?: { type: string; status: string }[] } };
  return (svc.status?.conditions ?? []).some((c) => c.type === 'Available' && c.status === 'True');
}
