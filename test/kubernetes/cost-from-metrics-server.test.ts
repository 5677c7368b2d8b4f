import { expect } from 'chai';
import { poll } from '../../harness/process/wait/poll';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { costViews } from '../../harness/report/capacity-view';
import { emptyResults } from '../../harness/results/results-store';
import type { Deployment } from '../../harness/targets/deployment';
import { openKubernetesTarget, type KubernetesDeployment } from '../../harness/targets/kubernetes/kubernetes-target';
import { podUsageSource, POD_METRICS_SOURCE } from '../../harness/targets/kubernetes/pod-usage';
import { formatCost } from '../../load/cost/request-cost';
import { startResourceSampling } from '../../load/scenarios/scenario';
import { clearSimulatedUsage, setSimulatedContainerUsage, type SimulatedUsage } from '../support/kube-test-env/simulated-usage';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, kubeCluster, stopKubeApiServer, stopKubeCluster } from '../support/kube-api-server';
import {
  apply,
  createDaprApp,
  createNamespace,
  deleteNamespace,
  ensureControlPlane,
  fakeNode,
  type TestConnection,
  testConnection,
  uniqueNamespace,
  waitForWorkload,
} from './support/dapr-cluster-fixtures';

after(stopKubeCluster);
after(stopKubeApiServer);

/** What kwok reports for each container, and so what the cost table must show: the app, its sidecar, NATS. */
const USAGE = {
  app: { cpu: '100m', memory: '80Mi', cores: 0.1, mb: 80 },
  daprd: { cpu: '300m', memory: '48Mi', cores: 0.3, mb: 48 },
  nats: { cpu: '200m', memory: '24Mi', cores: 0.2, mb: 24 },
} satisfies Record<string, SimulatedUsage & { cores: number; mb: number }>;

/**
 * The cost table on Kubernetes, from a real metrics-server through the API server's aggregation layer: kwok reports
 * the usage this test sets for each container of the fake node's pods, metrics-server scrapes it every 10 s, and
 * the load scenarios' sampling turns the PodMetrics it serves into CPU-seconds per 1000 requests and peak memory.
 */
describe('Cost per request on Kubernetes: metrics-server PodMetrics of apps, sidecars and brokers', function () {
  this.timeout(240_000);
  let conn: TestConnection;
  let d: KubernetesDeployment;
  const ns = uniqueNamespace('cost');

  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    const env = await kubeCluster();
    conn = await testConnection('cluster');
    await ensureControlPlane(conn);
    await createNamespace(conn, ns);
    await setSimulatedContainerUsage(conn, ns, USAGE);
    await createDaprApp(conn, ns, { name: 'sample-app' });
    const labels = { 'app.kubernetes.io/name': 'nats' };
    await apply(conn, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'nats', namespace: ns, labels },
      spec: {
        serviceName: 'nats',
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { nodeName: await fakeNode(), containers: [{ name: 'nats', image: 'nats:2', ports: [{ containerPort: 4222 }] }] },
        },
      },
    });
    await waitForWorkload(conn, 'StatefulSet', ns, 'nats', 1);
    d = await openKubernetesTarget({
      kubeconfig: env.kubeconfigPath,
      namespace: ns,
      runId: 'cost',
      runDir: env.dir,
      reach: 'in-cluster',
      probe: false,
    });
    // Measure only once metrics-server serves the set usage for every container (its first readings take two scrapes).
    await poll(
      'metrics-server to report the simulated usage of every container',
      async () => {
        const { readings } = await (d.resourceUsage as NonNullable<Deployment['resourceUsage']>).read();
        return ['sample-app', 'sample-app-daprd', 'nats'].every((p) => readings.some((r) => r.process === p && r.cores > 0));
      },
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
  });
  after(async () => {
    await d?.stop();
    if (conn) {
      await clearSimulatedUsage(conn, ns);
      await deleteNamespace(conn, ns).catch(() => undefined);
    }
  });

  it('prices each app, sidecar and broker container per 1000 requests from the usage metrics-server read, naming it and its coarseness', async () => {
    const units = 12_000;
    const sampling = startResourceSampling(d);
    // Over two of metrics-server's 10 s windows, so the readings integrated are ones taken during the sampling.
    await sleep(25_000);
    const { cost, problem } = await sampling.stop(units, 'request');
    expect(problem).to.equal(undefined);
    if (!cost) throw new Error('no cost record from metrics-server');
    expect(cost.source).to.equal(POD_METRICS_SOURCE);
    expect(cost.note).to.match(/^Coarse: metrics-server .* averages each container's CPU over \d+ s windows/);
    const row = (p: string) => cost.processes.find((x) => x.process === p);
    for (const [process, role, usage] of [
      ['sample-app', 'app', USAGE.app],
      ['sample-app-daprd', 'sidecar', USAGE.daprd],
      ['nats', 'broker', USAGE.nats],
    ] as const) {
      const r = row(process);
      expect(r, `${process} in ${JSON.stringify(cost.processes)}`).to.include({ role });
      // kwok reports the set usage exactly; metrics-server's rate over its scrape times may be off by its timing.
      expect(r?.avgCores, process).to.be.closeTo(usage.cores, usage.cores * 0.1);
      expect(r?.cpuSecondsPer1000, process).to.be.closeTo((r?.cpuSeconds ?? 0) * (1000 / units), 0.002);
      expect(r?.cpuSeconds, process).to.be.closeTo(usage.cores * cost.wallSeconds, usage.cores * cost.wallSeconds * 0.1);
      expect(r?.peakRssMb, process).to.equal(usage.mb);
    }
    // The driver runs here, so it comes from /proc beside the cluster's figures.
    expect(row('driver')?.role).to.equal('driver');
    // The denominator of the CPU budget: the fake node's allocatable cores.
    const node = await conn.core.readNode({ name: await fakeNode() });
    expect(cost.machineCores).to.equal(Number(node.status?.allocatable?.cpu));
    expect(cost.deploymentCores).to.be.closeTo(0.6, 0.06);

    const printed = formatCost('invoke', cost);
    expect(printed).to.include(`from ${POD_METRICS_SOURCE}`).and.include('Coarse:');
    expect(printed).not.to.include('/proc');
    process.stderr.write(`${printed.replace(/^/gm, '      ')}\n`);
    const results = emptyResults({ runId: 'cost', kind: 'load', target: { kind: 'kubernetes' } });
    results.scenarios.push({ name: 'invoke', settings: {}, timeline: [], cost });
    const [view] = costViews(results);
    expect(view).to.deep.include({ source: POD_METRICS_SOURCE, note: cost.note });
  });

  it('names the problem, and gives no cost table, where the cluster serves no metrics.k8s.io', async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
    const bare = await testConnection('api-server');
    const sampling = startResourceSampling({ resourceUsage: podUsageSource(bare, 'default', []) } as unknown as Deployment);
    const { cost, problem } = await sampling.stop(100, 'request');
    expect(cost).to.equal(undefined);
    expect(problem).to.match(
      /no cost table: could not read the pod metrics of namespace default \(metrics-server .*is metrics-server installed\?\)/,
    );
  });
});
