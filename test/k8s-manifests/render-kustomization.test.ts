import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../../harness/errors/harness-error';
import { REPO_ROOT } from './support/manifest';
import { parseManifests, renderKustomization } from './support/render-kustomization';

function thrown(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HarnessError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

/** Rendering goes through kubectl's own kustomize; when it cannot, the tests stop with the reason. */
describe('k8s manifests: rendering', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'k8s-render-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders a kustomization into objects', function () {
    const objects = renderKustomization(join(REPO_ROOT, 'k8s'));
    expect(objects.map((m) => `${m.kind}/${m.metadata.name}`)).to.include.members(['Namespace/dapr-harness', 'Deployment/sample-app', 'Component/pubsub']);
  });

  it('fails with a clear message, never a skip, when kubectl is missing', function () {
    const err = thrown(() => renderKustomization(join(REPO_ROOT, 'k8s'), join(dir, 'no-kubectl')));
    expect(err.code).to.equal('KUBECTL_MISSING');
    expect(err.oneLine()).to.match(/no-kubectl` not found: the manifest tests render k8s\/ with `kubectl kustomize` · install kubectl/);
  });

  it('fails naming the kustomization when it does not render', function () {
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    const err = thrown(() => renderKustomization(dir));
    expect(err.code).to.equal('KUSTOMIZE_FAILED');
    expect(err.message).to.include(dir);
    expect(err.message).to.match(/missing\.yaml/);
  });

  it('refuses a document that is not a Kubernetes object', function () {
    expect(parseManifests('apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n', 'x')).to.have.length(1);
    expect(thrown(() => parseManifests('just: a mapping\n', 'x')).code).to.equal('MANIFEST_INVALID');
    expect(thrown(() => parseManifests('kind: [unclosed\n', 'x')).code).to.equal('MANIFEST_INVALID');
  });
});
