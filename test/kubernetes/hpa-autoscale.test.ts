import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { V2HorizontalPodAutoscalerSpec, V2HPAScalingRules } from '@kubernetes/client-node';
import { expect } from 'chai';
import { silentProgress } from '../../harness/console/progress';
import { evaluateCriteria } from '../../harness/gate/criteria-evaluation';
import { loadCriteria } from '../../harness/gate/criteria-file';
import { poll } from '../../harness/process/wait/poll';
import { emptyResults, readResults, writeResults } from '../../harness/results/results-store';
import type { ClusterConnection } from '../../harness/targets/kubernetes/cluster-connection';
import { openKubernetesTarget, type KubernetesDeployment } from '../../harness/targets/kubernetes/kubernetes-target';
import { renderKustomization } from '../../harness/targets/kubernetes/kustomize-render';
import { runKubernetesAutoscale, type AutoscaleLoad, type KubernetesAutoscaleResult } from '../../load/scenarios/autoscale-kubernetes';
import { setSimulatedUsage, clearSimulatedUsage } from '../support/kube-test-env/simulated-usage';
import { KUBE_START_TIMEOUT_MS, kubeCluster, stopKubeCluster } from '../support/kube-api-server';
import {
  apply,
  createNamespace,
  daprAppDeployment,
  ensureControlPlane,
  fakeNode,
  type Manifest,
  type TestConnection,
  testConnection,
  uniqueNamespace,
  waitForWorkload,
} from './support/dapr-cluster-fixtures';

after(stopKubeCluster);

const CRITERIA = resolve(import.meta.dirname, '../../criteria.yaml');
/** The project's HPAs: what `kubectl apply -k k8s/autoscaling` sends is what these tests apply and expect. */
const AUTOSCALING = resolve(import.meta.dirname, '../../k8s/autoscaling');
/** Each container requests 100m; under load each uses 800m, so the HPA sees 800% against the project's 60% target. */
const BUSY = { cpu: '800m' };
const IDLE = { cpu: '5m' };

type HpaManifest = Manifest & { spec: V2HorizontalPodAutoscalerSpec };

/** The project's HorizontalPodAutoscaler `name`, rendered from k8s/autoscaling, placed in `namespace`. */
async function projectHpa(name: string, namespace: string): Promise<HpaManifest> {
  const rendered = await renderKustomization(AUTOSCALING);
  const hpa = rendered.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata?.name === name) as HpaManifest | undefined;
  if (!hpa?.spec)
    throw new Error(
      `k8s/autoscaling renders no HorizontalPodAutoscaler named ${name} (it renders ${rendered.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')})`,
    );
  return { ...hpa, metadata: { ...hpa.metadata, namespace } };
}

/**
 * Replica counts the HPA may reach one scale-up period after another under its own scaleUp rules (each policy's
 * limit from the count at the start of the period, `selectPolicy` choosing among them), up to maxReplicas.
 */
function scaleUpPath(spec: V2HorizontalPodAutoscalerSpec): { path: number[]; periodMs: number } {
  const rules: V2HPAScalingRules = spec.behavior?.scaleUp ?? {};
  const policies = rules.policies ?? [];
  if (policies.length === 0)
    throw new Error('the HPA declares no scaleUp policies: write them into k8s/autoscaling, the test reads its pace from them');
  const limit = (from: number): number => {
    const limits = policies.map((p) => (p.type === 'Percent' ? Math.ceil(from * (1 + p.value / 100)) : from + p.value));
    return rules.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits);
  };
  const path = [spec.minReplicas ?? 1];
  while ((path.at(-1) as number) < spec.maxReplicas) path.push(Math.min(spec.maxReplicas, limit(path.at(-1) as number)));
  return { path, periodMs: Math.max(...policies.map((p) => p.periodSeconds)) * 1000 };
}

/**
 * The project's scaleDown waits out a 5-minute stabilization window and then halves the pods a minute at a time:
 * about 11 minutes from 50 back to 1, too long for a test. Once the scale-out has been measured under the
 * project's own rules, the way back is sped up — only scaleDown changes, and the scale-back checks below are of
 * the HPA controller's decision to come down, not of the project's pace.
 */
const FAST_SCALE_DOWN: V2HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }],
};

/** The load of these tests: CPU usage kwok reports for every container of the namespace's pods. */
function simulatedCpu(
  conn: ClusterConnection,
  namespace: string,
  busy: { cpu: string },
  afterLoad: () => Promise<void> = async () => {},
): AutoscaleLoad {
  return {
    description: `simulated CPU ${busy.cpu} per container (kwok), ${IDLE.cpu} after`,
    start: () => setSimulatedUsage(conn, namespace, busy),
    stop: async () => {
      await setSimulatedUsage(conn, namespace, IDLE);
      await afterLoad();
    },
  };
}

async function hpaCondition(
  conn: ClusterConnection,
  namespace: string,
  name: string,
  type: string,
): Promise<{ status?: string; reason?: string }> {
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
  let conn: TestConnection;
  let node: string;
  let kubeconfig: string;
  let runDir: string;
  const namespaces: string[] = [];
  const targets: KubernetesDeployment[] = [];
  let scaling: { ns: string; d: KubernetesDeployment };
  let steady: { ns: string; d: KubernetesDeployment };

  /** What k8s/autoscaling declares for sample-app: every expectation below is read from it. */
  let declared: HpaManifest;

  async function appUnderHpa(prefix: string): Promise<{ ns: string; d: KubernetesDeployment }> {
    const ns = uniqueNamespace(prefix);
    namespaces.push(ns);
    await createNamespace(conn, ns);
    await setSimulatedUsage(conn, ns, IDLE);
    await apply(conn, daprAppDeployment(ns, { name: 'sample-app', replicas: 1, node }));
    await waitForWorkload(conn, 'Deployment', ns, 'sample-app', 1);
    await apply(conn, await projectHpa('sample-app', ns));
    // Only measure once the HPA reads the idle pod's CPU: a scale before that would not be the load's doing.
    await poll(
      "the HPA to read the pod's CPU",
      async () => (await hpaCondition(conn, ns, 'sample-app', 'ScalingActive')).status === 'True',
      { timeoutMs: 90_000 },
    );
    const d = await openKubernetesTarget({ kubeconfig, namespace: ns, runId: 'autoscale', runDir, reach: 'in-cluster', probe: false });
    targets.push(d);
    return { ns, d };
  }

  before(async function () {
    this.timeout(180_000);
    kubeconfig = (await kubeCluster()).kubeconfigPath;
    conn = await testConnection('cluster');
    node = await fakeNode();
    runDir = mkdtempSync(join(tmpdir(), 'autoscale-run-'));
    declared = await projectHpa('sample-app', 'not-applied');
    await ensureControlPlane(conn);
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

  it("applies the project's HPA as k8s/autoscaling declares it", async () => {
    const { ns } = scaling;
    const live = await conn.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'sample-app', namespace: ns });
    expect(live.spec?.maxReplicas).to.equal(declared.spec.maxReplicas);
    expect(live.spec?.minReplicas).to.equal(declared.spec.minReplicas);
    expect(live.spec?.metrics).to.deep.equal(declared.spec.metrics);
    expect(live.spec?.behavior?.scaleUp).to.deep.equal(declared.spec.behavior?.scaleUp);
    expect(live.spec?.behavior?.scaleDown).to.deep.equal(declared.spec.behavior?.scaleDown);
  });

  it('records the HPA scaling sample-app to the maxReplicas k8s/autoscaling declares, in Ready pods, at its scaleUp pace, and back after the load; the gate reads autoscale.max_replicas', async function () {
    const max = declared.spec.maxReplicas;
    const floor = declared.spec.minReplicas ?? 1;
    const { path: allowed, periodMs } = scaleUpPath(declared.spec);
    // Every step waits out a scaleUp period; the first waits for metrics-server's CPU readings (~2 scrapes).
    const loadMs = allowed.length * periodMs + 90_000;
    this.timeout(loadMs + 240_000);
    const { ns, d } = scaling;
    const fastScaleDown = async (): Promise<void> => {
      const hpa = await projectHpa('sample-app', ns);
      await apply(conn, { ...hpa, spec: { ...hpa.spec, behavior: { ...hpa.spec.behavior, scaleDown: FAST_SCALE_DOWN } } });
    };
    const result: KubernetesAutoscaleResult = await runKubernetesAutoscale({
      autoscaling: { namespace: d.namespace, watch: d.watchAutoscaling },
      hpa: 'sample-app',
      load: simulatedCpu(conn, ns, BUSY, fastScaleDown),
      targets: [...new Set([2, 10, 25, max])].filter((n) => n <= max),
      loadMs,
      scaleBackMs: 120_000,
      progress: silentProgress,
    });
    const { timeline, summary } = result;
    const path = timeline.samples.map((s) => `${s.replicas}/${s.ready}/${s.desired}`);

    expect(timeline.samples[0]?.replicas, path.join(' ')).to.equal(floor);
    expect([timeline.minReplicas, timeline.maxReplicas]).to.deep.equal([floor, max]);
    // The HPA's maximum, in Ready pods: pods that were only asked for would not count.
    expect(result.reachedTarget, path.join(' ')).to.equal(true);
    expect(summary.peakReplicas, path.join(' ')).to.equal(max);
    expect(
      timeline.samples.some((s) => s.ready === max),
      path.join(' '),
    ).to.equal(true);
    expect(summary.timeToReachMs[String(max)]).to.be.a('number');
    expect(summary.timeToReachMs['10'])
      .to.be.a('number')
      .and.be.at.least(summary.timeToReachMs['2'] as number);

    // Scale-up is the HPA's, under the project's scaleUp rules: it asks first (desired), the pods follow, and no
    // request goes beyond what one period allows from where the pods were.
    const firstUp = timeline.samples.findIndex((s) => s.desired > floor);
    expect(firstUp, path.join(' ')).to.be.greaterThan(0);
    expect(timeline.samples.slice(0, firstUp).every((s) => s.replicas === floor)).to.equal(true);
    expect(timeline.samples[firstUp]?.desired, `the first step is bounded by scaleUp (${allowed.join(' → ')})`).to.be.at.most(
      allowed[1] as number,
    );
    const firstUpAt = timeline.samples[firstUp]?.t as number;
    const maxAskedAt = timeline.samples.find((s) => s.desired === max)?.t as number;
    // A second apart at most on the controller's clock versus the watch's.
    expect(
      maxAskedAt - firstUpAt,
      `${allowed.length - 1} steps of ${periodMs} ms (${allowed.join(' → ')}); path ${path.join(' ')}`,
    ).to.be.at.least((allowed.length - 2) * periodMs - 1000);

    expect(result.scaledBack, path.join(' ')).to.equal(true);
    expect(timeline.samples.at(-1)?.replicas, path.join(' ')).to.equal(floor);
    expect(summary.scaleBackMs).to.be.a('number');

    const events = await conn.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale',
    });
    const messages = events.items.map((e) => e.message ?? '');
    expect(
      messages.some((m) => /^New size: \d+; reason: cpu resource utilization \(percentage of request\) above target$/.test(m)),
      messages.join(' | '),
    ).to.equal(true);
    expect(
      messages.some((m) => new RegExp(`^New size: ${floor}; reason: All metrics below target$`).test(m)),
      messages.join(' | '),
    ).to.equal(true);

    const maxMetric = result.metrics.find((m) => m.name === 'autoscale.max_replicas');
    expect(maxMetric).to.deep.include({ kind: 'gauge', value: max, tags: { namespace: ns, deployment: 'sample-app' } });
    expect(result.scenario.timeline.some((p) => (p.ready ?? 0) === max)).to.equal(true);
    expect(result.scenario.settings).to.deep.include({ maxReplicas: max, peakReadyReplicas: max });

    const results = emptyResults({ runId: 'autoscale', kind: 'load', target: { kind: 'kubernetes' } });
    results.metrics.push(...result.metrics);
    results.scenarios.push(result.scenario);
    writeResults(runDir, results);
    const verdict = evaluateCriteria(loadCriteria(CRITERIA), readResults(runDir));
    const row = verdict.rows.find((r) => r.criterion === 'autoscale.max_replicas');
    expect(row?.measured).to.equal(max);
    // criteria.yaml's threshold and the project's HPA must agree: reaching the HPA's maximum passes the gate.
    expect(row?.status, `criteria.yaml's autoscale.max_replicas against the HPA's maxReplicas ${max}`).to.equal('pass');
    process.stderr.write(
      `      autoscale: peak ${summary.peakReplicas} ready replicas, time to reach ${JSON.stringify(summary.timeToReachMs)} ms, scale back ${summary.scaleBackMs} ms, path ${path.join(' ')}\n`,
    );
  });

  it("a load below the HPA's target moves nothing, and the scenario says so: peak 1, targets not reached, the gate fails", async () => {
    const { ns, d } = steady;
    const result = await runKubernetesAutoscale({
      autoscaling: { namespace: d.namespace, watch: d.watchAutoscaling },
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
