import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import { poll } from '../../harness/process/wait/poll';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { ClusterConnection } from '../../harness/targets/kubernetes/cluster-connection';
import { kubeBinaries, missingKubeBinaries } from '../../harness/cluster/kube-binaries';
import { startKubeTestEnv } from '../support/kube-test-env/kube-test-env';
import { metricsApiAvailable } from '../../harness/cluster/metrics-server';
import { clearSimulatedUsage, setSimulatedUsage } from '../support/kube-test-env/simulated-usage';
import { KUBE_START_TIMEOUT_MS, kubeCluster, stopKubeCluster } from '../support/kube-api-server';
import {
  apply,
  createNamespace,
  daprAppDeployment,
  deleteNamespace,
  fakeNode,
  livePods,
  type TestConnection,
  testConnection,
  uniqueNamespace,
  waitForWorkload,
} from './support/dapr-cluster-fixtures';

after(stopKubeCluster);

interface PodMetricsList {
  items: { metadata: { name: string }; window: string; containers: { name: string; usage: { cpu: string; memory: string } }[] }[];
}

async function podMetrics(conn: ClusterConnection, namespace: string): Promise<PodMetricsList> {
  return (await conn.custom.listNamespacedCustomObject({
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    namespace,
    plural: 'pods',
  })) as PodMetricsList;
}

/** CPU quantity in millicores ("799993124n", "800m", "1"). */
function millicores(q: string): number {
  if (q.endsWith('n')) return Number(q.slice(0, -1)) / 1e6;
  if (q.endsWith('u')) return Number(q.slice(0, -1)) / 1e3;
  if (q.endsWith('m')) return Number(q.slice(0, -1));
  return Number(q) * 1000;
}

/** Processes whose command line names a test env's temp dir. */
function testEnvProcesses(): Set<string> {
  const out = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dapr-harness-kube-')) out.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('Kubernetes test cluster: kube-controller-manager, kwok and metrics-server beside the API server', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeCluster();
  });
  let conn: TestConnection;
  let node: string;
  const ns = uniqueNamespace('cluster');

  before(async () => {
    conn = await testConnection('cluster');
    node = await fakeNode();
    await createNamespace(conn, ns);
  });
  after(async () => {
    await clearSimulatedUsage(conn, ns);
    await deleteNamespace(conn, ns);
  });

  it('runs the five processes and a Ready fake node whose kubelet is kwok, serving at the loopback address', async () => {
    const env = await kubeCluster();
    expect(env.processes).to.deep.equal(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kwok', 'metrics-server']);
    expect(env.nodes).to.deep.equal(['kwok-node-0']);
    const n = await conn.core.readNode({ name: node });
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
    expect(n.status?.nodeInfo?.kubeletVersion).to.equal(`kwok-${kubeBinaries().kwokVersion.replace(/^v/, '')}`);
    expect(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address).to.equal('127.0.0.1');
    expect(n.status?.daemonEndpoints?.kubeletEndpoint?.Port).to.be.a('number').and.be.greaterThan(0);
  });

  it('rolls a Deployment out through a ReplicaSet to Running, Ready pods with pod IPs (deployment and replicaset controllers, kwok)', async () => {
    await apply(conn, daprAppDeployment(ns, { name: 'orders', replicas: 3, node }));
    await waitForWorkload(conn, 'Deployment', ns, 'orders', 3);
    const rs = (await conn.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app.kubernetes.io/name=orders' })).items;
    expect(rs).to.have.length(1);
    expect(rs[0]?.metadata?.ownerReferences?.[0]).to.include({ kind: 'Deployment', name: 'orders' });
    const pods = await livePods(conn, ns, 'orders');
    expect(pods).to.have.length(3);
    for (const p of pods) {
      expect(p.metadata?.ownerReferences?.[0]?.name).to.equal(rs[0]?.metadata?.name);
      expect(p.status?.phase).to.equal('Running');
      expect(p.status?.podIP).to.match(/^10\.244\.\d+\.\d+$/);
      expect(p.status?.containerStatuses?.map((c) => [c.name, c.ready])).to.deep.equal([
        ['app', true],
        ['daprd', true],
      ]);
    }
  });

  it("serves pods' simulated CPU through metrics.k8s.io (kwok → metrics-server → aggregation layer)", async function () {
    this.timeout(90_000);
    expect(await metricsApiAvailable(conn)).to.equal(true);
    await setSimulatedUsage(conn, ns, { cpu: '250m', memory: '40Mi' });
    // A pod has a CPU rate once metrics-server has scraped its counter twice (10 s apart).
    await poll('pod metrics for every orders pod', async () => (await podMetrics(conn, ns)).items.length === 3, { timeoutMs: 60_000 });
    const list = await podMetrics(conn, ns);
    for (const item of list.items) {
      expect(item.containers.map((c) => c.name).sort()).to.deep.equal(['app', 'daprd']);
      for (const c of item.containers) {
        expect(millicores(c.usage.cpu)).to.be.closeTo(250, 5);
        expect(c.usage.memory).to.equal('40Mi');
      }
    }
  });

  it('a pod bound to a node kwok does not manage stays Pending: only kwok plays the kubelet here', async () => {
    await apply(conn, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'unmanaged-node' } });
    try {
      await apply(conn, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'stranded', namespace: ns },
        spec: { nodeName: 'unmanaged-node', containers: [{ name: 'c', image: 'busybox' }] },
      });
      // kwok readies its own pods within a second (see the rollout above); give it several.
      await sleep(3000);
      const pod = await conn.core.readNamespacedPod({ name: 'stranded', namespace: ns });
      expect(pod.status?.phase).to.equal('Pending');
      expect(pod.status?.podIP).to.equal(undefined);
    } finally {
      await conn.core.deleteNamespacedPod({ name: 'stranded', namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
      await conn.core.deleteNode({ name: 'unmanaged-node' });
    }
  });

  it('deletes a namespace with everything in it (namespace controller and garbage collector)', async () => {
    const doomed = uniqueNamespace('doomed');
    await createNamespace(conn, doomed);
    await apply(conn, daprAppDeployment(doomed, { name: 'web', replicas: 2, node }));
    await waitForWorkload(conn, 'Deployment', doomed, 'web', 2);
    await deleteNamespace(conn, doomed);
    const left = await conn.core.listPodForAllNamespaces({ fieldSelector: `metadata.namespace=${doomed}` });
    expect(left.items).to.deep.equal([]);
  });

  it('a second cluster stops all five processes and removes its temp dir', async function () {
    this.timeout(180_000);
    const before = testEnvProcesses();
    const env = await startKubeTestEnv({ cluster: true });
    const during = [...testEnvProcesses()].filter((p) => !before.has(p));
    expect(during.length, 'etcd, kube-apiserver, kube-controller-manager, kwok and metrics-server').to.equal(5);
    await env.stop();
    expect([...testEnvProcesses()].filter((p) => !before.has(p))).to.deep.equal([]);
    expect(existsSync(env.dir)).to.equal(false);
  });

  it('refuses to start without kwok and metrics-server when building is not allowed, naming what is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kwok-bins-'));
    const saved = process.env.DAPR_HARNESS_KWOK_DIR;
    process.env.DAPR_HARNESS_KWOK_DIR = empty;
    try {
      expect(missingKubeBinaries(kubeBinaries(), 'api-server')).to.deep.equal([]);
      let error: unknown;
      await startKubeTestEnv({ cluster: true, build: false }).then(
        (env) => env.stop(),
        (err: unknown) => (error = err),
      );
      expect(error).to.be.instanceOf(HarnessError);
      expect((error as HarnessError).code).to.equal('KUBE_BINARIES_MISSING');
      expect((error as HarnessError).message).to.equal(
        `the test env's binaries are not built (missing ${join(empty, 'kwok')}, ${join(empty, 'metrics-server')}, ${join(empty, 'crds')})`,
      );
    } finally {
      if (saved === undefined) delete process.env.DAPR_HARNESS_KWOK_DIR;
      else process.env.DAPR_HARNESS_KWOK_DIR = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
