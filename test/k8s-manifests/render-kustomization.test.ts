import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../../harness/errors/harness-error';
import { REPO_ROOT } from './support/manifest';
import { findRenderer, kubectlRenderer, onPath, parseManifests, renderKustomization } from './support/render-kustomization';

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
    expect(objects.map((m) => `${m.kind}/${m.metadata.name}`)).to.include.members([
      'Namespace/dapr-harness',
      'Deployment/sample-app',
      'Component/pubsub',
    ]);
  });

  it('fails with a clear message, never a skip, when kubectl is missing', function () {
    const err = thrown(() => renderKustomization(join(REPO_ROOT, 'k8s'), kubectlRenderer(join(dir, 'no-kubectl'))));
    expect(err.code).to.equal('KUBECTL_MISSING');
    expect(err.oneLine()).to.match(/no-kubectl` not found: the manifest tests render k8s\/ with `kubectl kustomize` · install kubectl/);
  });

  it('fails with a clear message when neither kubectl nor kustomize is on PATH', function () {
    const err = thrown(() => findRenderer({ PATH: dir }));
    expect(err.code).to.equal('KUBECTL_MISSING');
    expect(err.oneLine()).to.match(/neither kubectl nor kustomize is on PATH: .* · install kubectl/);
  });

  it('falls back to the kustomize CLI where kubectl is not installed', function () {
    const kubectl = onPath('kubectl', process.env.PATH);
    if (!kubectl) throw new Error('kubectl is needed on PATH for this test');
    // A stand-in for the kustomize CLI that answers `build <dir>` through kubectl's own kustomize.
    const bin = join(dir, 'kustomize-only');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\n[ "$1" = build ] || exit 2\nexec ${kubectl} kustomize "$2"\n`, { mode: 0o755 });
    const renderer = findRenderer({ PATH: bin });
    expect(renderer.command).to.equal(join(bin, 'kustomize'));
    expect(renderKustomization(join(REPO_ROOT, 'k8s'), renderer)).to.deep.equal(
      renderKustomization(join(REPO_ROOT, 'k8s'), kubectlRenderer(kubectl)),
    );
  });

  it('fails naming the kustomization when it does not render', function () {
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    const err = thrown(() => renderKustomization(dir));
    expect(err.code).to.equal('KUSTOMIZE_FAILED');
    expect(err.message).to.include(dir);
    expect(err.oneLine().split('\n')).to.have.length(1);
    expect(err.message).to.match(/missing\.yaml/);
  });

  it('refuses a document that is not a Kubernetes object', function () {
    expect(parseManifests('apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n', 'x')).to.have.length(1);
    expect(thrown(() => parseManifests('just: a mapping\n', 'x')).code).to.equal('MANIFEST_INVALID');
    expect(thrown(() => parseManifests('kind: [unclosed\n', 'x')).code).to.equal('MANIFEST_INVALID');
  });
});
