import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import { poll } from '../../harness/process/wait/poll';
import { assertControlPlane, checkControlPlane, DAPR_CONTROL_PLANE } from '../../harness/targets/kubernetes/control-plane-preflight';
import { assertInjection, checkInjection } from '../../harness/targets/kubernetes/injection-check';
import { openKubernetesTarget } from '../../harness/targets/kubernetes/kubernetes-target';
import { KUBE_START_TIMEOUT_MS, kubeCluster, stopKubeCluster } from '../support/kube-api-server';
import {
  apply,
  CONTROL_PLANE_NAMESPACE,
  createControlPlane,
  createNamespace,
  DAPR_VERSION,
  daprAppDeployment,
  ensureControlPlane,
  ensureDaprCrds,
  fakeNode,
  livePods,
  type TestConnection,
  testConnection,
  uniqueNamespace,
  waitForWorkload,
} from './support/dapr-cluster-fixtures';

after(stopKubeCluster);

function thrown(fn: () => void): HarnessError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  return expect.fail('nothing was thrown') as never;
}

/** A node object kwok does not manage: pods bound to it are never started, as on a node whose kubelet is down. */
const DEAD_NODE = 'dead-node';

/**
 * Preflight and injection check against workloads whose status the real controllers wrote from pods kwok ran:
 * nothing here writes a status itself. The control plane's images never run; what the preflight reads of them
 * is what a cluster's controllers report.
 */
describe('Kubernetes target on the test cluster: control-plane preflight and injection check against the real controllers', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeCluster();
  });
  let conn: TestConnection;
  let kubeconfig: string;
  let node: string;
  const created: string[] = [];
  const fresh = (prefix: string): string => {
    const ns = uniqueNamespace(prefix);
    created.push(ns);
    return ns;
  };

  before(async () => {
    kubeconfig = (await kubeCluster()).kubeconfigPath;
    conn = await testConnection('cluster');
    node = await fakeNode();
    await ensureDaprCrds(conn);
    await apply(conn, { apiVersion: 'v1', kind: 'Node', metadata: { name: DEAD_NODE } });
  });
  after(async () => {
    for (const ns of created) await conn.core.deleteNamespace({ name: ns }).catch(() => undefined);
    await poll(
      'the test namespaces to be gone',
      async () => {
        // Nothing finishes the graceful deletion of a pod on the dead node: end those at once.
        const stranded = await conn.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${DEAD_NODE}` });
        for (const p of stranded.items)
          await conn.core
            .deleteNamespacedPod({ name: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? '', gracePeriodSeconds: 0 })
            .catch(() => undefined);
        const left = (await conn.core.listNamespace()).items.filter((n) => created.includes(n.metadata?.name ?? ''));
        return left.length === 0;
      },
      { timeoutMs: 90_000 },
    );
    await conn.core.deleteNode({ name: DEAD_NODE }).catch(() => undefined);
  });

  describe('preflight', () => {
    it('passes for a control plane the deployment and statefulset controllers rolled out', async function () {
      this.timeout(90_000);
      await ensureControlPlane(conn);
      const report = await checkControlPlane(conn, CONTROL_PLANE_NAMESPACE);
      expect(report.problems).to.deep.equal([]);
      expect(report.workloads.map((w) => [w.name, w.healthy, w.desired, w.ready, w.available])).to.deep.equal(
        DAPR_CONTROL_PLANE.map((w) => [w.name, true, 1, 1, 1]),
      );
      expect(report.daprVersion).to.equal(DAPR_VERSION);
      expect(() => assertControlPlane(report)).not.to.throw();
    });

    it('reports a missing control plane: no namespace at all', async () => {
      const report = await checkControlPlane(conn, 'dapr-nowhere');
      expect(report.problems).to.deep.equal(['namespace dapr-nowhere does not exist: the Dapr control plane is not installed there']);
      const err = thrown(() => assertControlPlane(report));
      expect([err.code, err.message]).to.deep.equal([
        'DAPR_PREFLIGHT_FAILED',
        'the Dapr control plane is not ready: namespace dapr-nowhere does not exist: the Dapr control plane is not installed there',
      ]);
      expect(err.hint).to.include('helm upgrade --install dapr dapr/dapr -n dapr-nowhere');
    });

    it('reports a missing control plane: the namespace is there, the five workloads are not', async () => {
      const ns = fresh('empty-cp');
      await createNamespace(conn, ns);
      const report = await checkControlPlane(conn, ns);
      expect(report.problems).to.deep.equal(DAPR_CONTROL_PLANE.map((w) => `${w.name} (${w.kind} in ${ns}) does not exist`));
    });

    it('reports control-plane workloads whose pods never start (their node has no kubelet), with what the controllers counted', async () => {
      const ns = fresh('stuck-cp');
      await createControlPlane(conn, ns);
      // Move the injector to the dead node, replacing its pod: the new one is never started.
      const labels = { app: 'dapr-sidecar-injector' };
      await apply(conn, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'dapr-sidecar-injector', namespace: ns, labels },
        spec: {
          replicas: 1,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { nodeName: DEAD_NODE, containers: [{ name: 'dapr-sidecar-injector', image: `ghcr.io/dapr/injector:${DAPR_VERSION}` }] },
          },
        },
      });
      await poll(
        'the injector rollout to stall',
        async () => {
          const pods = await conn.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=dapr-sidecar-injector' });
          return pods.items.length === 1 && pods.items[0]?.spec?.nodeName === DEAD_NODE;
        },
        { timeoutMs: 30_000 },
      );
      await poll('the deployment controller to count it', async () => (await checkControlPlane(conn, ns)).problems.length === 1, {
        timeoutMs: 30_000,
      });
      const report = await checkControlPlane(conn, ns);
      expect(report.problems).to.deep.equal([`dapr-sidecar-injector (Deployment in ${ns}): 0 of 1 replicas available`]);
      expect(report.workloads.filter((w) => w.healthy).map((w) => w.name)).to.deep.equal(
        DAPR_CONTROL_PLANE.map((w) => w.name).filter((n) => n !== 'dapr-sidecar-injector'),
      );
    });

    it('the target refuses to open against a cluster without a control plane (exit code 1, not a usage error)', async () => {
      const ns = fresh('no-cp-apps');
      await createNamespace(conn, ns);
      let error: unknown;
      await openKubernetesTarget({
        kubeconfig,
        namespace: ns,
        controlPlaneNamespace: 'dapr-nowhere',
        runId: 'r',
        runDir: '/tmp/r',
        reach: 'in-cluster',
        probe: false,
      }).then(
        (d) => d.stop(),
        (err: unknown) => (error = err),
      );
      expect(error).to.be.instanceOf(HarnessError);
      expect((error as HarnessError).code).to.equal('DAPR_PREFLIGHT_FAILED');
      expect((error as HarnessError).kind).to.equal('runtime');
    });
  });

  describe('injection check', () => {
    let ns: string;
    before(async () => {
      ns = fresh('inject');
      await createNamespace(conn, ns);
    });

    it('flags an annotated Deployment whose pods (made by its ReplicaSet, started by kwok) lack daprd: nothing injected them', async () => {
      await apply(conn, daprAppDeployment(ns, { name: 'bare', replicas: 2, injected: false, node }));
      await waitForWorkload(conn, 'Deployment', ns, 'bare', 2);
      const pods = (await livePods(conn, ns, 'bare')).map((p) => p.metadata?.name ?? '').sort();
      const report = await checkInjection(conn, ns);
      expect(report.problems).to.deep.equal(
        pods.map((p) => `Deployment ${ns}/bare (app id bare): pod ${p} has no daprd container; the sidecar injector did not inject it`),
      );
      const err = thrown(() => assertInjection(report));
      expect(err.code).to.equal('DAPR_INJECTION_FAILED');
      expect(err.message).to.include(`pod ${pods[0]} has no daprd container`);
      await conn.apps.deleteNamespacedDeployment({ name: 'bare', namespace: ns });
    });

    it('passes pods that carry daprd as the injector adds it, with the IPs and node kwok gave them', async () => {
      await poll('the bare pods to go (garbage collector, kwok)', async () => (await livePods(conn, ns, 'bare')).length === 0, {
        timeoutMs: 30_000,
      });
      await apply(conn, daprAppDeployment(ns, { name: 'orders', replicas: 3, node }));
      await apply(conn, daprAppDeployment(ns, { name: 'static-site', annotated: false, injected: false, node }));
      await waitForWorkload(conn, 'Deployment', ns, 'orders', 3);
      const report = await checkInjection(conn, ns);
      expect(report.problems).to.deep.equal([]);
      expect(report.apps.map((a) => [a.appId, a.desiredReplicas, a.pods.length])).to.deep.equal([['orders', 3, 3]]);
      for (const p of report.apps[0]?.pods ?? []) {
        expect([p.hasDaprd, p.daprdAppId, p.ready, p.nodeName]).to.deep.equal([true, 'orders', true, node]);
        expect(p.podIP).to.match(/^10\.244\./);
      }
    });

    it('follows a scale-up done by the deployment controller', async () => {
      await conn.apps.replaceNamespacedDeploymentScale({
        name: 'orders',
        namespace: ns,
        body: { metadata: { name: 'orders', namespace: ns }, spec: { replicas: 5 } },
      });
      await waitForWorkload(conn, 'Deployment', ns, 'orders', 5);
      const report = await checkInjection(conn, ns);
      expect(report.problems).to.deep.equal([]);
      expect(report.apps[0]?.pods).to.have.length(5);
    });

    it('flags injected pods that never become Ready (bound to a node whose kubelet is down)', async () => {
      await apply(conn, daprAppDeployment(ns, { name: 'stranded', replicas: 1, node: DEAD_NODE }));
      await poll('the stranded pod to exist', async () => (await livePods(conn, ns, 'stranded')).length === 1, { timeoutMs: 30_000 });
      const [pod] = await livePods(conn, ns, 'stranded');
      const report = await checkInjection(conn, ns);
      expect(report.problems).to.deep.equal([
        `Deployment ${ns}/stranded (app id stranded): none of its 1 pods is Ready (${pod?.metadata?.name})`,
      ]);
    });
  });
});
