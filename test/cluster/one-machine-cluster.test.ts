import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import type { KubernetesObject } from '@kubernetes/client-node';
import { clusterLayout } from '../../harness/cluster/cluster-layout';
import { readClusterState } from '../../harness/cluster/cluster-state';
import { corednsImageRef } from '../../harness/cluster/cluster-dns';
import { kubeBinaries } from '../../harness/cluster/kube-binaries';
import { applyClusterObject } from '../../harness/cluster/cluster-apply';
import { poll } from '../../harness/process/wait/poll';
import { connectCluster, type ClusterConnection } from '../../harness/targets/kubernetes/cluster-connection';
import { runCli } from '../support/cli';
import { clusterLeftovers, snapshotHost, type HostSnapshot } from './cluster-leftovers';

/** A first start builds the cluster's binaries (CI builds them beforehand with `npm run kube:binaries`). */
const UP_TIMEOUT_MS = 40 * 60_000;
const NS = 'cluster-check';

/** A pod of the project's own: CoreDNS's image serving its whoami zone on 1053 and its health on 8080. */
function echoObjects(image: string): KubernetesObject[] {
  const labels = { app: 'echo' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'echo', namespace: NS },
      data: { Corefile: '.:1053 {\n  whoami\n  health :8080\n}\n' },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'echo', namespace: NS, labels },
      spec: {
        containers: [
          {
            name: 'echo',
            image,
            imagePullPolicy: 'Never',
            args: ['-conf', '/etc/echo/Corefile'],
            volumeMounts: [{ name: 'config', mountPath: '/etc/echo' }],
            readinessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 1 },
          },
        ],
        volumes: [{ name: 'config', configMap: { name: 'echo' } }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'echo', namespace: NS },
      spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
  ] as KubernetesObject[];
}

async function httpText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return `${res.status} ${(await res.text()).trim()}`;
}

describe('the one-machine cluster: up, a pod served through its Service, down leaves nothing', function () {
  this.timeout(UP_TIMEOUT_MS + 10 * 60_000);
  const l = clusterLayout();
  const bins = kubeBinaries();
  let baseline: HostSnapshot;
  let conn: ClusterConnection;
  let upDone = false;

  before(async function () {
    baseline = snapshotHost();
    const up = await runCli(['cluster', 'up', '--detach', '--no-reference-images'], { timeoutMs: UP_TIMEOUT_MS });
    expect(up.code, `cluster up failed: ${up.stderr.slice(-2000)}`).to.equal(0);
    upDone = true;
    expect(up.stdout).to.include(`kubeconfig: ${l.kubeconfig}`);
    conn = await connectCluster({ kubeconfig: l.kubeconfig });
  });

  after(async function () {
    if (upDone) await runCli(['cluster', 'down'], { timeoutMs: 5 * 60_000 });
  });

  it('runs a real node of the pinned release, Ready, with CoreDNS and metrics.k8s.io', async () => {
    const state = readClusterState(l);
    expect(state?.version).to.equal(bins.version);
    const node = await conn.core.readNode({ name: l.nodeName });
    expect(node.status?.nodeInfo?.kubeletVersion).to.equal(bins.version);
    expect(node.status?.nodeInfo?.containerRuntimeVersion).to.match(/^containerd:\/\//);
    expect((node.status?.conditions ?? []).find((c) => c.type === 'Ready')?.status).to.equal('True');
    const out = execFileSync(
      bins.kubectl,
      ['--kubeconfig', l.kubeconfig, 'get', 'deployment', 'coredns', '-n', 'kube-system', '-o', 'jsonpath={.status.readyReplicas}'],
      {
        encoding: 'utf8',
      },
    );
    expect(out).to.equal('1');
    const status = await runCli(['cluster', 'status', '--json']);
    expect(status.code, status.stdout).to.equal(0);
    expect(JSON.parse(status.stdout)).to.include({ nodeReady: true, healthy: true });
    // metrics-server scrapes the real kubelet: the node's usage shows up once a scrape has happened.
    await poll(
      'node metrics from metrics.k8s.io',
      async () => {
        const m = (await conn.objects.read({
          apiVersion: 'metrics.k8s.io/v1beta1',
          kind: 'NodeMetrics',
          metadata: { name: l.nodeName },
        })) as { usage?: { cpu?: string } };
        return m.usage?.cpu;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
  });

  it('runs a pod that answers on its pod IP and through its Service ClusterIP and DNS name', async () => {
    for (const obj of echoObjects(corednsImageRef(bins.corednsVersion))) await applyClusterObject(conn, obj);
    const pod = await poll(
      'the echo pod to be Ready',
      async () => {
        const p = await conn.core.readNamespacedPod({ name: 'echo', namespace: NS });
        return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && p;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(pod.status?.podIP).to.match(/^10\.213\./);
    expect(await httpText(`http://${pod.status?.podIP}:8080/health`)).to.equal('200 OK');
    const svc = await conn.core.readNamespacedService({ name: 'echo', namespace: NS });
    // Until kube-proxy has synced the new Service, its ClusterIP is routed off the machine like any other address.
    let answer = '';
    await poll(
      'the Service to answer',
      async () => {
        answer = await httpText(`http://${svc.spec?.clusterIP}:80/health`);
        return answer === '200 OK';
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch(() => undefined);
    expect(answer).to.equal('200 OK');
    const { Resolver } = await import('node:dns/promises');
    const r = new Resolver({ timeout: 2000, tries: 2 });
    r.setServers([l.dnsServiceIp]);
    expect(await r.resolve4(`echo.${NS}.svc.${l.clusterDomain}`)).to.deep.equal([svc.spec?.clusterIP]);
  });

  it('down stops every process and leaves no mount, chain, bridge, cgroup, file or kernel setting behind', async () => {
    const down = await runCli(['cluster', 'down'], { timeoutMs: 5 * 60_000 });
    upDone = false;
    expect(down.code, down.stderr).to.equal(0);
    expect(clusterLeftovers(l, baseline)).to.deep.equal([]);
    const status = await runCli(['cluster', 'status']);
    expect(status.code).to.equal(1);
    expect(status.stdout).to.include('no cluster is up');
  });
});
