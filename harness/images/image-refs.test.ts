import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appsImageRef, daprImageRefs, harnessImageRef, kustomizedImageRef, natsBoxImageRef } from './image-refs';

describe('images: names read from the manifests', function () {
  it('names the Dapr image under every name the chart gives, tagged with the release', function () {
    expect(daprImageRefs('v1.18.2')).to.include.members([
      'ghcr.io/dapr/daprd:1.18.2',
      'ghcr.io/dapr/operator:1.18.2',
      'ghcr.io/dapr/injector:1.18.2',
    ]);
  });

  it('reads the apps, harness and nats-box names from k8s/', function () {
    expect(appsImageRef()).to.match(/^dapr-harness\/system-under-test:\S+$/);
    expect(harnessImageRef()).to.match(/^dapr-harness:\S+$/);
    expect(natsBoxImageRef()).to.match(/^natsio\/nats-box:\S+$/);
  });

  it("takes a kustomization's newName and newTag, and names the file when the entry is missing", function () {
    const dir = mkdtempSync(join(tmpdir(), 'dapr-harness-refs-'));
    try {
      const file = join(dir, 'kustomization.yaml');
      writeFileSync(
        file,
        'images:\n  - name: app\n    newName: registry.example/app\n    newTag: "2.0"\n  - name: bare\n    newTag: "1"\n',
      );
      expect(kustomizedImageRef(file, 'app')).to.equal('registry.example/app:2.0');
      expect(kustomizedImageRef(file, 'bare')).to.equal('bare:1');
      expect(() => kustomizedImageRef(file, 'other')).to.throw(/has no images: entry for other/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
