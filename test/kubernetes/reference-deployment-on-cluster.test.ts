import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { poll } from '../../harness/process/wait/poll';
import { deployK8s, undeployK8s } from '../../harness/targets/kubernetes/deploy-k8s';
import { checkInjection } from '../../harness/targets/kubernetes/injection-check';
import { KUBE_START_TIMEOUT_MS, kubeCluster, stopKubeCluster } from '../support/kube-api-server';
import { deleteNamespace, ensureDaprCrds, type TestConnection, testConnection, uniqueNamespace } from './support/dapr-cluster-fixtures';
import { failure } from '../support/harness-failure';

after(stopKubeCluster);

const K8S = resolve(import.meta.dirname, '../../k8s');
const NAMESPACE = 'dapr-harness';

/**
 * k8s/ against a cluster whose controllers act on it. Dapr's CRDs come from the Dapr module's charts/, so the API
 * server validates every Dapr resource against Dapr's own schemas; no Dapr control plane runs, so no injector
 * adds daprd, and no scheduler places the pods.
 */
describe('The reference deployment (k8s/) on the test cluster: server-side validation, then the controllers at work', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeCluster();
  });
  let conn: TestConnection;
  let kubeconfig: string;
  let scratch: string;
  const created: string[] = [];

  before(async () => {
    kubeconfig = (await kubeCluster()).kubeconfigPath;
    conn = await testConnection('cluster');
    await ensureDaprCrds(conn);
    scratch = mkdtempSync(join(tmpdir(), 'k8s-validation-'));
  });
  after(async () => {
    rmSync(scratch, { recursive: true, force: true });
    for (const ns of created) await deleteNamespace(conn, ns).catch(() => undefined);
    await undeployK8s({ dir: K8S, kubeconfig }).catch(() => undefined);
    await deleteNamespace(conn, NAMESPACE).catch(() => undefined);
  });

  /** A kustomization of its own holding `docs`, in a namespace of its own. */
  function kustomization(name: string, docs: Record<string, unknown>[]): string {
    const dir = join(scratch, name);
    const ns = uniqueNamespace(name);
    created.push(ns);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'objects.yaml'),
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ...docs].map((d) => stringify(d)).join('---\n'),
    );
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: ns, resources: ['objects.yaml'] }),
    );
    return dir;
  }

  it("a Dapr resource that breaks Dapr's CRD schema is refused, naming the object and the field", async () => {
    const dir = kustomization('bad-component', [
      {
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'statestore' },
        spec: { type: 'state.redis', version: 'v1', metdata: [{ name: 'redisHost', value: 'redis:6379' }] },
      },
    ]);
    const err = await failure(deployK8s({ dir, kubeconfig }));
    expect(err.code).to.equal('APPLY_FAILED');
    expect(err.message).to.match(/^Component\/statestore \(namespace bad-component-\d+-\d+\): \d{3} .*metdata/);
  });

  it('a built-in object with a field its kind does not have is refused too (no silent pruning)', async () => {
    const dir = kustomization('bad-deployment', [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replica: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
        },
      },
    ]);
    const err = await failure(deployK8s({ dir, kubeconfig }));
    expect(err.code).to.equal('APPLY_FAILED');
    expect(err.message).to.match(
      /^Deployment\/web \(namespace bad-deployment-\d+-\d+\): \d{3} .*\.spec\.replica: field not declared in schema/,
    );
  });

  it('applies every object of k8s/; the controllers give each Deployment a ReplicaSet and pods, and reconcile the HPAs', async () => {
    const applied = await deployK8s({ dir: K8S, kubeconfig });
    expect(applied[0]).to.include({ kind: 'Namespace', name: NAMESPACE, action: 'applied' });
    expect(applied.every((o) => o.action === 'applied')).to.equal(true);
    const kinds = new Set(applied.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
      'Component',
      'Configuration',
      'Resiliency',
      'Subscription',
    ])
      expect(kinds, kind).to.include(kind);
    const deployments = applied.filter((o) => o.kind === 'Deployment').map((o) => o.name);
    expect(deployments).to.include.members(['sample-app', 'task-service']);
    await poll(
      'a ReplicaSet and a pod for every Deployment of k8s/',
      async () => {
        const pods = (await conn.core.listNamespacedPod({ namespace: NAMESPACE })).items;
        const rs = (await conn.apps.listNamespacedReplicaSet({ namespace: NAMESPACE })).items;
        return deployments.every(
          (d) =>
            rs.some((r) => r.metadata?.ownerReferences?.[0]?.name === d) &&
            pods.some((p) => p.metadata?.labels?.['app.kubernetes.io/name'] === d),
        );
      },
      { timeoutMs: 60_000 },
    );
    const pods = (await conn.core.listNamespacedPod({ namespace: NAMESPACE })).items;
    // No scheduler runs, so they wait to be placed; and no injector ran, so they are as written.
    for (const p of pods) {
      expect(p.status?.phase, p.metadata?.name).to.equal('Pending');
      expect(
        p.spec?.containers.map((c) => c.name),
        p.metadata?.name,
      ).not.to.include('daprd');
    }
    for (const hpa of applied.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
      await poll(
        `HPA ${hpa.name} reconciled`,
        async () => {
          const got = await conn.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa.name, namespace: NAMESPACE });
          return (got.status?.conditions ?? []).some((c) => c.type === 'AbleToScale' && c.status === 'True');
        },
        { timeoutMs: 30_000 },
      );
      const got = await conn.autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa.name, namespace: NAMESPACE });
      // Pending pods report no CPU: the HPA says so instead of scaling.
      const active = got.status?.conditions?.find((c) => c.type === 'ScalingActive');
      expect([active?.status, active?.reason]).to.deep.equal(['False', 'FailedGetResourceMetric']);
    }
  });

  it('the injection check flags every Dapr app of k8s/: its pods have no daprd and none is Ready', async () => {
    const report = await checkInjection(conn, NAMESPACE);
    const flagged = [...new Set(report.problems.map((p) => /^Deployment dapr-harness\/([\w-]+)/.exec(p)?.[1]))];
    expect(flagged.sort()).to.deep.equal(report.apps.map((a) => a.deployment).sort());
    for (const app of report.apps) {
      const label = `Deployment dapr-harness/${app.deployment} (app id ${app.appId})`;
      expect(app.pods.length, label).to.equal(app.desiredReplicas);
      for (const pod of app.pods)
        expect(report.problems).to.include(`${label}: pod ${pod.name} has no daprd container; the sidecar injector did not inject it`);
      expect(report.problems).to.include(
        `${label}: none of its ${app.pods.length} pods is Ready (${app.pods.map((p) => p.name).join(', ')})`,
      );
    }
  });

  it('undeploy removes it all, and the namespace controller really deletes the namespace', async function () {
    this.timeout(150_000);
    const removed = await undeployK8s({ dir: K8S, kubeconfig });
    expect(removed.every((o) => o.action === 'deleted')).to.equal(true);
    await deleteNamespace(conn, NAMESPACE, 120_000);
    expect((await conn.core.listPodForAllNamespaces({ fieldSelector: `metadata.namespace=${NAMESPACE}` })).items).to.deep.equal([]);
  });
});
