import { expect } from 'chai';
import { autoscaleMetrics, replicasAt, summarizeAutoscale } from '../../harness/targets/kubernetes/autoscale-watcher';
import type { ClusterConnection } from '../../harness/targets/kubernetes/cluster-connection';
import { openKubernetesTarget, type KubernetesDeployment } from '../../harness/targets/kubernetes/kubernetes-target';
import type { WorkloadRef } from '../../harness/targets/kubernetes/workload-scaling';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';
import {
  apply,
  createDaprApp,
  createNamespace,
  deleteNamespace,
  ensureControlPlane,
  runReplicaController,
  setWorkloadStatus,
  type TestConnection,
  testConnection,
  uniqueNamespace,
} from './support/dapr-cluster-fixtures';
import { failure } from '../support/harness-failure';

after(stopKubeApiServer);

async function podNames(conn: ClusterConnection, namespace: string, app: string): Promise<string[]> {
  const pods = await conn.core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${app}` });
  return pods.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata?.name ?? '')
    .sort();
}

/**
 * Chaos controls and the autoscale watcher against a real API server. No kubelet or controller-manager runs, so
 * runReplicaController plays both for the workload under test: it creates and deletes pods to match spec.replicas
 * and writes the status they add up to, as those would.
 */
describe('Kubernetes target: chaos controls and the autoscale watcher', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });
  let conn: TestConnection;
  let d: KubernetesDeployment;
  const ns = uniqueNamespace('chaos');
  const orders = { name: 'orders', replicas: 2 };
  const ordersRef: WorkloadRef = { kind: 'Deployment', namespace: ns, name: 'orders' };
  const redisRef: WorkloadRef = { kind: 'StatefulSet', namespace: ns, name: 'redis-master' };

  before(async () => {
    const env = await kubeApiServer();
    conn = await testConnection();
    await ensureControlPlane(conn);
    await createNamespace(conn, ns);
    await createDaprApp(conn, ns, orders);
    const labels = { 'app.kubernetes.io/name': 'redis' };
    await apply(conn, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'redis-master', namespace: ns, labels },
      spec: {
        serviceName: 'redis-headless',
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'redis', image: 'redis:7', ports: [{ containerPort: 6379 }] }] } },
      },
    });
    await setWorkloadStatus(conn, redisRef, 0, 0);
    d = await openKubernetesTarget({
      kubeconfig: env.kubeconfigPath,
      namespace: ns,
      runId: 'chaos',
      runDir: '/tmp/chaos',
      reach: 'in-cluster',
      probe: false,
      recoveryTimeoutMs: 20_000,
    });
  });
  after(async () => {
    await d?.stop();
    await deleteNamespace(conn, ns);
  });

  it('deletes a pod and waits until its Deployment has replaced it', async () => {
    const controller = runReplicaController(conn, ordersRef, orders);
    try {
      const before = await podNames(conn, ns, 'orders');
      expect(before).to.deep.equal(['orders-0', 'orders-1']);
      const deletion = await d.chaos.deletePod('orders-0', { owner: ordersRef });
      expect(deletion.goneMs).to.be.a('number');
      expect(deletion.recoveryMs).to.be.at.least(deletion.goneMs);
      const after = await podNames(conn, ns, 'orders');
      expect(after).to.have.length(2);
      expect(after).to.include('orders-1');
      expect(after).not.to.include('orders-0');
    } finally {
      await controller.stop();
    }
  });

  it('scales a Deployment to 0 and back, waiting for the pods to go and to be ready again', async () => {
    const controller = runReplicaController(conn, ordersRef, orders);
    try {
      const cycle = await d.chaos.scaleDownAndRecover(ordersRef);
      expect(cycle.from).to.equal(2);
      expect(cycle.downMs).to.be.a('number');
      expect(cycle.recoveryMs).to.be.a('number');
      const dep = await conn.apps.readNamespacedDeployment({ name: 'orders', namespace: ns });
      expect([dep.spec?.replicas, dep.status?.readyReplicas]).to.deep.equal([2, 2]);
    } finally {
      await controller.stop();
    }
  });

  it('stops and starts a StatefulSet dependency (redis) through Deployment.dependencies', async () => {
    const redis = d.dependencies.find((x) => x.kind === 'redis');
    expect(redis?.address).to.equal(`redis-master.${ns}.svc:6379`);
    const controller = runReplicaController(conn, redisRef, { name: 'redis', injected: false, annotated: false });
    try {
      await redis?.stop();
      expect(await podNames(conn, ns, 'redis')).to.deep.equal([]);
      expect((await conn.apps.readNamespacedStatefulSet(redisRef)).spec?.replicas).to.equal(0);
      await redis?.start();
      expect(await podNames(conn, ns, 'redis')).to.deep.equal(['redis-0']);
      expect((await conn.apps.readNamespacedStatefulSet(redisRef)).status?.readyReplicas).to.equal(1);
    } finally {
      await controller.stop();
    }
  });

  it('reports a workload that does not recover in time, with what it reached', async () => {
    // No controller runs now: the scale is accepted and nothing happens.
    const err = await failure(d.chaos.scale(ordersRef, 3, { timeoutMs: 1000 }));
    expect(err.code).to.equal('RECOVERY_TIMEOUT');
    expect(err.message).to.match(
      new RegExp(`^Deployment ${ns}/orders did not reach 3 ready replicas within 1s \\(now 2 pods, 2 ready, 2 available, spec 3\\)$`),
    );
    await conn.apps.replaceNamespacedDeploymentScale({
      name: 'orders',
      namespace: ns,
      body: { metadata: { name: 'orders', namespace: ns }, spec: { replicas: 2 } },
    });
    await setWorkloadStatus(conn, ordersRef, 2);
  });

  it('names a pod or workload that does not exist', async () => {
    const pod = await failure(d.chaos.deletePod('orders-99'));
    expect([pod.code, pod.message]).to.deep.equal(['POD_NOT_FOUND', `pod ${ns}/orders-99 does not exist`]);
    const workload = await failure(d.chaos.scaleDownAndRecover({ kind: 'Deployment', namespace: ns, name: 'payments' }));
    expect([workload.code, workload.message]).to.deep.equal(['WORKLOAD_NOT_FOUND', `Deployment ${ns}/payments does not exist`]);
  });

  it('records the replica timeline of an HPA and its Deployment: time to reach N, time to scale back', async () => {
    await apply(conn, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'orders', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      },
    });
    const watcher = await d.watchAutoscaling('orders');
    await watcher.waitFor((s) => s.replicas === 2 && s.ready === 2, 10_000);

    // What the HPA controller and the workload would do under load: ask for 4, the pods come up one by one.
    const setDesired = async (desired: number): Promise<void> => {
      const hpa = await conn.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'orders', namespace: ns });
      hpa.status = { currentReplicas: hpa.status?.currentReplicas ?? 2, desiredReplicas: desired };
      await conn.autoscaling.replaceNamespacedHorizontalPodAutoscalerStatus({ name: 'orders', namespace: ns, body: hpa });
      await conn.apps.replaceNamespacedDeploymentScale({
        name: 'orders',
        namespace: ns,
        body: { metadata: { name: 'orders', namespace: ns }, spec: { replicas: desired } },
      });
    };
    watcher.mark('load-start');
    await setDesired(4);
    await watcher.waitFor((s) => s.desired === 4, 10_000);
    await setWorkloadStatus(conn, ordersRef, 2, 4);
    await setWorkloadStatus(conn, ordersRef, 3, 4);
    await setWorkloadStatus(conn, ordersRef, 4, 4);
    await watcher.waitFor((s) => s.ready === 4, 10_000);
    watcher.mark('load-end');
    await setDesired(2);
    await setWorkloadStatus(conn, ordersRef, 2, 2);
    await watcher.waitFor(
      (s) => s.t >= 0 && s.replicas === 2 && s.desired === 2 && s.ready === 2 && s.t > (watcher.timeline().marks['load-end'] ?? 0),
      10_000,
    );
    const timeline = await watcher.stop();

    expect(timeline.minReplicas).to.equal(2);
    expect(timeline.maxReplicas).to.equal(5);
    expect(timeline.peakReplicas).to.equal(4);
    const path = timeline.samples.map((s) => `${s.replicas}/${s.ready}/${s.desired}`);
    expect(path[0]).to.equal('2/2/2');
    expect(path).to.include.members(['2/2/4', '4/2/4', '4/3/4', '4/4/4']);
    expect(path.at(-1)).to.equal('2/2/2');
    const ts = timeline.samples.map((s) => s.t);
    expect(ts).to.deep.equal([...ts].sort((a, b) => a - b));

    const summary = summarizeAutoscale(timeline, [3, 4, 5], { from: 'load-start', after: 'load-end' });
    expect(summary.peakReplicas).to.equal(4);
    expect(summary.timeToReachMs['3']).to.be.a('number').and.be.at.least(0);
    expect(summary.timeToReachMs['4']).to.be.at.least(summary.timeToReachMs['3'] as number);
    expect(summary.timeToReachMs['5']).to.equal(null);
    expect(summary.scaleBackMs).to.be.a('number').and.be.at.least(0);
    expect(replicasAt(timeline, timeline.marks['load-end'] ?? 0)?.ready).to.equal(4);

    const metrics = autoscaleMetrics(timeline, summary);
    expect(metrics.map((m) => [m.name, m.tags.replicas ?? null])).to.deep.equal([
      ['autoscale.max_replicas', null],
      ['autoscale.time_to_reach', '3'],
      ['autoscale.time_to_reach', '4'],
      ['autoscale.scale_back_time', null],
    ]);
  });

  it('a watch that sees nothing matching says so, with the last sample', async () => {
    const watcher = await d.watchAutoscaling('orders');
    try {
      await watcher.waitFor((s) => s.replicas === 2, 5_000);
      let error: Error | undefined;
      await watcher.waitFor((s) => s.replicas === 40, 300).catch((err: Error) => (error = err));
      expect(error?.message).to.match(
        new RegExp(
          `^the autoscale watch of ${ns}/orders saw no matching sample within 300 ms \\(last: \\{"t":\\d+,"replicas":2,"ready":2,"desired":2\\}\\)$`,
        ),
      );
    } finally {
      await watcher.stop();
    }
  });
});
