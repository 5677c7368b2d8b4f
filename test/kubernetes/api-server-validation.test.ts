import { expect } from 'chai';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { applyObject } from '../../harness/targets/kubernetes/server-side-apply';
import { REPO_ROOT } from '../../harness/paths';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';
import { renderKustomization } from '../k8s-manifests/support/render-kustomization';
import type { Manifest } from '../k8s-manifests/support/manifest';
import { type TestConnection, testConnection } from './support/dapr-cluster-fixtures';

after(stopKubeApiServer);

const NAMESPACE = 'api-validation';

/**
 * The checks kube-apiserver makes beyond the OpenAPI schema (its Go validation), asked of the real API server with a
 * server-side dry run: the reference deployment's own objects, each broken in one way, must be refused with the
 * API server's own words. Nothing here re-implements those rules.
 */
describe('k8s manifests: what the API server refuses beyond the schema (server-side dry run)', function () {
  this.timeout(120_000);
  let conn: TestConnection;
  let rendered: Manifest[];

  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
    conn = await testConnection();
    await applyObject(conn, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }, { fieldManager: 'dapr-harness-test' });
    rendered = [...renderKustomization(join(REPO_ROOT, 'k8s')), ...renderKustomization(join(REPO_ROOT, 'k8s/dapr-system'))];
  });

  const byKind = (kind: string): Manifest => {
    const found = rendered.find((m) => m.kind === kind);
    if (!found) throw new Error(`no ${kind} rendered`);
    const copy = structuredClone(found);
    copy.metadata.namespace = NAMESPACE;
    return copy;
  };

  async function refusal(m: Manifest): Promise<string> {
    try {
      await applyObject(conn, m, { fieldManager: 'dapr-harness-test', dryRun: true });
    } catch (err) {
      expect(err).to.be.instanceOf(ApiException);
      expect((err as ApiException<unknown>).code).to.equal(422);
      return JSON.stringify((err as ApiException<unknown>).body);
    }
    throw new Error(`the API server accepted ${m.kind}/${m.metadata.name}`);
  }

  it('accepts every core object of the reference deployment as rendered', async () => {
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'Job']) {
      const obj = byKind(kind);
      const stored = await applyObject(conn, obj, { fieldManager: 'dapr-harness-test', dryRun: true });
      expect(stored.metadata?.name).to.equal(obj.metadata.name);
    }
  });

  it('a Deployment whose selector does not match its pods', async () => {
    const d = byKind('Deployment');
    (d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels = { 'app.kubernetes.io/name': 'someone-else' };
    expect(await refusal(d)).to.contain('`selector` does not match template `labels`');
  });

  it('an HPA whose maxReplicas is below minReplicas', async () => {
    const h = byKind('HorizontalPodAutoscaler');
    Object.assign(h.spec as object, { minReplicas: 5, maxReplicas: 2 });
    expect(await refusal(h)).to.contain('must be greater than or equal to `minReplicas`');
  });

  it('a Job that restarts Always', async () => {
    const j = byKind('Job');
    (j.spec as { template: { spec: Record<string, unknown> } }).template.spec.restartPolicy = 'Always';
    expect(await refusal(j)).to.match(/spec\.template\.spec\.restartPolicy: Required value: valid values: \\"OnFailure\\", \\"Never\\"/);
  });

  it('an object name that is not a DNS name', async () => {
    const s = byKind('Service');
    s.metadata.name = 'Sample_App';
    // A Service name is a DNS-1035 label (it must start with a letter), stricter than the DNS-1123 label other
    // objects' names are: the rule the API server holds, which a home-made copy had wrong.
    expect(await refusal(s)).to.contain('metadata.name: Invalid value: \\"Sample_App\\": a DNS-1035 label');
  });
});
