import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { exitCodeFor } from '../../harness/errors/harness-error';
import type { ClusterConnection } from '../../harness/targets/kubernetes/cluster-connection';
import { deployK8s, undeployK8s, type ObjectOutcome } from '../../harness/targets/kubernetes/deploy-k8s';
import { isNotFound } from '../../harness/targets/kubernetes/api-errors';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';
import { ensureDaprCrds, type TestConnection, testConnection } from './support/dapr-cluster-fixtures';
import { failure } from '../support/harness-failure';

after(stopKubeApiServer);

const FIXTURE = resolve(import.meta.dirname, 'fixtures/small-app');
const UNSERVED = resolve(import.meta.dirname, 'fixtures/unserved-kind');
const K8S = resolve(import.meta.dirname, '../../k8s');

function lines(outcomes: ObjectOutcome[]): string[] {
  return outcomes.map((o) => `${o.action} ${o.kind}/${o.name}${o.namespace ? ` ${o.namespace}` : ''}`);
}

async function exists(conn: ClusterConnection, apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean> {
  try {
    await conn.objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

describe('deployK8s / undeployK8s: a kustomization rendered and server-side applied to a real API server', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });
  let kubeconfig: string;
  let conn: TestConnection;

  before(async () => {
    kubeconfig = (await kubeApiServer()).kubeconfigPath;
    conn = await testConnection();
    await ensureDaprCrds(conn);
  });

  it('applies every object (namespace and CRD first), printing each, and the API server keeps them as written', async () => {
    const printed: string[] = [];
    const progress = { update: () => {}, log: (m: string) => printed.push(m), done: () => {} };
    const outcomes = await deployK8s({ dir: FIXTURE, kubeconfig, progress });
    expect(lines(outcomes)).to.deep.equal([
      'applied Namespace/deploy-fixture',
      'applied CustomResourceDefinition/widgets.fixtures.dapr-harness.io',
      'applied Service/greeter deploy-fixture',
      'applied Deployment/greeter deploy-fixture',
      'applied HorizontalPodAutoscaler/greeter deploy-fixture',
      'applied Component/statestore deploy-fixture',
      'applied Widget/gear deploy-fixture',
    ]);
    expect(printed[0]).to.equal('applied Namespace/deploy-fixture');
    expect(printed).to.include('applied Deployment/greeter (namespace deploy-fixture)');
    const widget = (await conn.custom.getNamespacedCustomObject({
      group: 'fixtures.dapr-harness.io',
      version: 'v1',
      namespace: 'deploy-fixture',
      plural: 'widgets',
      name: 'gear',
    })) as { spec: unknown };
    expect(widget.spec).to.deep.equal({ settings: { teeth: 12, nested: { anything: 'goes' } } });
    const crd = await conn.apiextensions.readCustomResourceDefinition({ name: 'widgets.fixtures.dapr-harness.io' });
    expect(
      crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.spec?.properties?.settings?.x_kubernetes_preserve_unknown_fields,
    ).to.equal(true);
    const dep = await conn.apps.readNamespacedDeployment({ name: 'greeter', namespace: 'deploy-fixture' });
    expect(dep.metadata?.labels?.['app.kubernetes.io/part-of']).to.equal('deploy-fixture');
    expect(dep.metadata?.managedFields?.map((f) => f.manager)).to.deep.equal(['dapr-harness']);
  });

  it('applying again changes nothing, and a dry run stores nothing', async () => {
    await deployK8s({ dir: FIXTURE, kubeconfig });
    const again = await deployK8s({ dir: FIXTURE, kubeconfig });
    expect(
      again.every((o) => o.action === 'unchanged'),
      lines(again).join(', '),
    ).to.equal(true);
    const rv = (await conn.apps.readNamespacedDeployment({ name: 'greeter', namespace: 'deploy-fixture' })).metadata?.resourceVersion;
    const dry = await deployK8s({ dir: FIXTURE, kubeconfig, dryRun: true });
    expect(dry).to.have.length(7);
    expect((await conn.apps.readNamespacedDeployment({ name: 'greeter', namespace: 'deploy-fixture' })).metadata?.resourceVersion).to.equal(
      rv,
    );
  });

  it('removes every object in reverse order, and reports objects already gone as absent', async () => {
    await deployK8s({ dir: FIXTURE, kubeconfig });
    const removed = await undeployK8s({ dir: FIXTURE, kubeconfig });
    expect(lines(removed)).to.deep.equal([
      'deleted Widget/gear deploy-fixture',
      'deleted Component/statestore deploy-fixture',
      'deleted HorizontalPodAutoscaler/greeter deploy-fixture',
      'deleted Deployment/greeter deploy-fixture',
      'deleted Service/greeter deploy-fixture',
      'deleted CustomResourceDefinition/widgets.fixtures.dapr-harness.io',
      'deleted Namespace/deploy-fixture',
    ]);
    expect(await exists(conn, 'apps/v1', 'Deployment', 'greeter', 'deploy-fixture')).to.equal(false);
    const again = await undeployK8s({ dir: FIXTURE, kubeconfig });
    // The namespace itself stays Terminating here (no namespace controller), so deleting it again still succeeds.
    expect(lines(again).slice(0, 6)).to.deep.equal(
      lines(removed)
        .slice(0, 6)
        .map((l) => l.replace(/^deleted/, 'absent')),
    );
  });

  it("the reference deployment in k8s/ is accepted by the API server (with Dapr's CRDs) and removed again", async function () {
    if (!existsSync(join(K8S, 'kustomization.yaml'))) this.skip();
    const applied = await deployK8s({ dir: K8S, kubeconfig });
    expect(applied.length).to.be.greaterThan(10);
    expect(applied[0]).to.include({ kind: 'Namespace', name: 'dapr-harness', action: 'applied' });
    const kinds = new Set(applied.map((o) => o.kind));
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'Component', 'Configuration', 'Resiliency', 'Subscription'])
      expect(kinds, kind).to.include(kind);
    const sample = applied.find((o) => o.kind === 'Deployment');
    expect(await exists(conn, 'apps/v1', 'Deployment', sample?.name ?? '', 'dapr-harness')).to.equal(true);
    const removed = await undeployK8s({ dir: K8S, kubeconfig });
    expect(removed.map((o) => o.action)).to.deep.equal(applied.map(() => 'deleted'));
    expect(await exists(conn, 'apps/v1', 'Deployment', sample?.name ?? '', 'dapr-harness')).to.equal(false);
  });

  it('a kind the cluster does not serve: named, with what to install', async () => {
    const err = await failure(deployK8s({ dir: UNSERVED, kubeconfig }));
    expect(err.code).to.equal('KIND_NOT_SERVED');
    expect(err.message).to.match(
      /^Gadget\/sprocket \(namespace default\): the cluster at https:\/\/127\.0\.0\.1:\d+ does not serve unserved\.dapr-harness\.io\/v1 Gadget$/,
    );
  });

  it('a folder without a kustomization, and a bad kubeconfig, are usage errors', async () => {
    const noDir = await failure(deployK8s({ dir: '/nonexistent/k8s', kubeconfig }));
    expect([noDir.code, noDir.message, exitCodeFor(noDir)]).to.deep.equal([
      'KUSTOMIZATION_MISSING',
      '/nonexistent/k8s is not a directory',
      2,
    ]);
    const noKustomization = await failure(undeployK8s({ dir: import.meta.dirname, kubeconfig }));
    expect([noKustomization.code, noKustomization.message]).to.deep.equal([
      'KUSTOMIZATION_MISSING',
      `${import.meta.dirname} has no kustomization.yaml`,
    ]);
    const badConfig = await failure(deployK8s({ dir: FIXTURE, kubeconfig: '/nonexistent/kubeconfig' }));
    expect([badConfig.code, exitCodeFor(badConfig)]).to.deep.equal(['KUBECONFIG_MISSING', 2]);
  });
});
