import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { silentProgress } from '../../harness/console/progress';
import { evaluateCriteria } from '../../harness/gate/criteria-evaluation';
import { loadCriteria } from '../../harness/gate/criteria-file';
import { emptyResults, readResults, writeResults } from '../../harness/results/results-store';
import type { ClusterConnection } from '../../harness/targets/kubernetes/cluster-connection';
import { openKubernetesTarget, type KubernetesDeployment } from '../../harness/targets/kubernetes/kubernetes-target';
import { setSimulatedUsage, clearSimulatedUsage } from '../../harness/targets/kubernetes/test-env/simulated-usage';
import { waitUntil } from '../../harness/targets/kubernetes/test-env/wait-until';
import { runKubernetesAutoscale, type AutoscaleLoad, type KubernetesAutoscaleResult } from '../../load/scenarios/autoscale-kubernetes';
import { KUBE_START_TIMEOUT_MS, kubeCluster, stopKubeCluster } from '../support/kube-api-server';
import { clusterConnection, createClusterNamespace, daprAppDeployment, ensureClusterControlPlane, fakeNode, waitForWorkload } from './support/cluster-fixtures';
import { apply, uniqueNamespace } from './support/dapr-cluster-fixtures';

after(stopKubeCluster);

const CRITERIA = resolve(import.meta.dirname, '../../criteria.yaml');
/** Each container requests 100m; under load each uses 800m, so the HPA sees 800% against a 60% target. */
const BUSY = { cpu: '800m' };
const IDLE = { cpu: '5m' };

/** The load of these tests: CPU usage kwok reports for every container of the namespace's pods. */
function simulatedCpu(conn: ClusterConnection, namespace: string, busy: { cpu: string }): AutoscaleLoad {
  return {
    description: `simulated CPU ${busy.cpu} per container (kwok), ${IDLE.cpu} after`,
    start: () => setSimulatedUsage(conn, namespace, busy),
    stop: () => setSimulatedUsage(conn, namespace, IDLE),
  };
}

/** An HPA like k8s/autoscaling's, 1–50 on CPU, with behavior that lets it move at the controller's pace. */
function hpa(namespace: string, name: string): Record<string, unknown> & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 50,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 1000, periodSeconds: 1 }] },
        scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }] },
      },
    },
  };
}

async function hpaCondition(conn: ClusterConnection, namespace: string, name: string, type: string): Promise<{ status?: string; reason?: string }> {
  const got = await conn.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });
  const c = got.status?.conditions?.find((x) => x.type === type);
  return { status: c?.status, reason: c?.reason };
}

/**
 * The autoscale scenario against the real HPA controller: kwok reports the simulated CPU of each pod, metrics-server
 * serves it as metrics.k8s.io, the HPA controller reads it through the aggregation layer and scales the Deployment,
 * whose pods the deployment and replicaset controllers create and kwok starts. The scenario only watches.
 */
describe('Autoscale scenario on the test cluster: HPA-driven replica changes under simulated CPU load', function () {
  this.timeout(240_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeCluster();
  });
  let conn: ClusterConnection;
  let node: string;
  let kubeconfig: string;
  let runDir: string;
  const namespaces: string[] = [];
  const targets: KubernetesDeployment[] = [];
  let scaling: { ns: string; d: KubernetesDeployment };
  let steady: { ns: string; d: KubernetesDeployment };

  async function appUnderHpa(prefix: string): Promise<{ ns: string; d: KubernetesDeployment }> {
    const ns = uniqueNamespace(prefix);
    namespaces.push(ns);
    await createClusterNamespace(conn, ns);
    await setSimulatedUsage(conn, ns, IDLE);
    await apply(conn, daprAppDeployment(ns, { name: 'sample-app', replicas: 1, node }));
    await waitForWorkload(conn, 'Deployment', ns, 'sample-app', 1);
    await apply(conn, hpa(ns, 'sample-app'));
    // Only measure once the HPA reads the idle pod's CPU: a scale before that would not be the load's doing.
    await waitUntil('the HPA to read the pod\'s CPU', 90_000, async () => (await hpaCondition(conn, ns, 'sample-app', 'ScalingActive')).status === 'True');
    const d = await openKubernetesTarget({ kubeconfig, namespace: ns, runId: 'autoscale', runDir, reach: 'in-cluster', probe: false });
    targets.push(d);
    return { ns, d };
  }

  before(async function () {
    this.timeout(180_000);
    kubeconfig = (await kubeCluster()).kubeconfigPath;
    conn = await clusterConnection();
    node = await fakeNode();
    runDir = mkdtempSync(join(tmpdir(), 'autoscale-run-'));
    await ensureClusterControlPlane(conn);
    // Both apps wait for their first CPU readings (two scrapes, ~20 s) at the same time.
    [scaling, steady] = await Promise.all([appUnderHpa('autoscale'), appUnderHpa('no-scale')]);
  });
  after(async () => {
    for (const d of targets) await d.stop();
    for (const ns of namespaces) {
      await clearSimulatedUsage(conn, ns);
      // The namespace controller finishes this in the background; test-cluster.test.ts checks that it does.
      await conn.core.deleteNamespace({ name: ns }).catch(() => undefined);
    }
    rmSync(runDir, { recursive: true, force: true });
  });

  it('records the HPA scaling sample-app from 1 toward 50 under load and back to 1 after it, and the gate reads autoscale.max_replicas', async function () {
    this.timeout(300_000);
    const { ns, d } = scaling;
    const result: KubernetesAutoscaleResult = await runKubernetesAutoscale({
      deployment: d,
      hpa: 'sample-app',
      load: simulatedCpu(conn, ns, BUSY),
      targets: [2, 10, 25, 50],
      loadMs: 150_000,
      scaleBackMs: 90_000,
      progress: silentProgress,
    });
    const { timeline, summary } = result;
    const path = timeline.samples.map((s) => `${s.replicas}/${s.ready}/${s.desired}`);

    expect(timeline.samples[0]?.replicas, path.join(' ')).to.equal(1);
    expect([timeline.minReplicas, timeline.maxReplicas]).to.deep.equal([1, 50]);
    // Toward 50: at least 10 within the bound (50 itself is usually reached in two HPA steps, ~30 s apart).
    expect(summary.peakReplicas, path.join(' ')).to.be.at.least(10).and.at.most(50);
    expect(summary.timeToReachMs['2']).to.be.a('number');
    expect(summary.timeToReachMs['10']).to.be.a('number').and.be.at.least(summary.timeToReachMs['2'] as number);
    // Scale-up is the HPA's: it asks first (desired), the pods follow.
    const firstUp = timeline.samples.findIndex((s) => s.desired > 1);
    expect(firstUp, path.join(' ')).to.be.greaterThan(0);
    expect(timeline.samples.slice(0, firstUp).every((s) => s.replicas === 1)).to.equal(true);
    expect(result.scaledBack, path.join(' ')).to.equal(true);
    expect(timeline.samples.at(-1)?.replicas, path.join(' ')).to.equal(1);
    expect(summary.scaleBackMs).to.be.a('number');

    const events = await conn.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale' });
    const messages = events.items.map((e) => e.message ?? '');
    expect(messages.some((m) => /^New size: \d+; reason: cpu resource utilization \(percentage of request\) above target$/.test(m)), messages.join(' | ')).to.equal(true);
    expect(messages.some((m) => /^New size: 1; reason: All metrics below target$/.test(m)), messages.join(' | ')).to.equal(true);

    const max = result.metrics.find((m) => m.name === 'autoscale.max_replicas');
    expect(max).to.deep.include({ kind: 'gauge', value: summary.peakReplicas, tags: { namespace: ns, deployment: 'sample-app' } });
    expect(result.scenario.timeline.some((p) => (p.ready ?? 0) >= 10)).to.equal(true);

    const results = emptyResults({ runId: 'autoscale', kind: 'load', target: { kind: 'kubernetes' } });
    results.metrics.push(...result.metrics);
    results.scenarios.push(result.scenario);
    writeResults(runDir, results);
    const verdict = evaluateCriteria(loadCriteria(CRITERIA), readResults(runDir));
    const row = verdict.rows.find((r) => r.criterion === 'autoscale.max_replicas');
    expect(row?.measured).to.equal(summary.peakReplicas);
    expect(row?.status).to.equal(summary.peakReplicas >= 50 ? 'pass' : 'fail');
    process.stderr.write(`      autoscale: peak ${summary.peakReplicas} replicas, time to reach ${JSON.stringify(summary.timeToReachMs)} ms, scale back ${summary.scaleBackMs} ms, path ${path.join(' ')}\n`);
  });

  it('a load below the HPA\'s target moves nothing, and the scenario says so: peak 1, targets not reached, the gate fails', async () => {
    const { ns, d } = steady;
    const result = await runKubernetesAutoscale({
      deployment: d,
      hpa: 'sample-app',
      // 2 × 25m against 2 × 100m requested: 25 %, under the 60 % target.
      load: simulatedCpu(conn, ns, { cpu: '25m' }),
      targets: [2, 10],
      untilReplicas: 2,
      loadMs: 30_000,
      scaleBackMs: 1_000,
      progress: silentProgress,
    });
    // The HPA did see the load, and chose 1 replica for it.
    const seen = await conn.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'sample-app', namespace: ns });
    expect(seen.status?.currentMetrics?.[0]?.resource?.current.averageUtilization).to.be.closeTo(25, 3);
    expect(seen.status?.desiredReplicas).to.equal(1);
    expect(await hpaCondition(conn, ns, 'sample-app', 'ScalingActive')).to.deep.equal({ status: 'True', reason: 'ValidMetricFound' });
    expect(result.reachedTarget).to.equal(false);
    expect(result.summary.peakReplicas).to.equal(1);
    expect(result.summary.timeToReachMs).to.deep.equal({ '2': null, '10': null });
    expect(result.summary.scaleBackMs).to.equal(null);
    expect(result.metrics.map((m) => [m.name, m.value])).to.deep.equal([['autoscale.max_replicas', 1]]);
    const results = emptyResults({ runId: 'no-scale', kind: 'load', target: { kind: 'kubernetes' } });
    results.metrics.push(...result.metrics);
    const row = evaluateCriteria(loadCriteria(CRITERIA), results).rows.find((r) => r.criterion === 'autoscale.max_replicas');
    expect([row?.status, row?.measured]).to.deep.equal(['fail', 1]);
  });
});
