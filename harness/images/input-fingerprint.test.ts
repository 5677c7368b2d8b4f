import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSpec } from './image-spec';
import { imageInputFingerprint } from './input-fingerprint';

describe('images: what an archive is made from', function () {
  let dir: string;
  let spec: ImageSpec;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'dapr-harness-fp-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'a.js'), 'a');
    symlinkSync('a.js', join(dir, 'app', 'b.js'));
    spec = {
      name: 'x',
      refs: ['r.example/x:1'],
      layers: [{ entries: [{ target: '/app', source: join(dir, 'app') }] }],
      config: { user: '1' },
    };
  });

  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays the same while nothing changes', function () {
    expect(imageInputFingerprint(spec, 't')).to.equal(imageInputFingerprint(structuredClone(spec), 't'));
  });

  it('changes with the spec, the writer, a file under a copied dir, its mode and a symlink target', function () {
    const base = imageInputFingerprint(spec, 't');
    expect(imageInputFingerprint({ ...spec, config: { user: '2' } }, 't')).to.not.equal(base);
    expect(imageInputFingerprint(spec, 'u')).to.not.equal(base);
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'app', 'a.js'), later, later);
    const touched = imageInputFingerprint(spec, 't');
    expect(touched).to.not.equal(base);
    rmSync(join(dir, 'app', 'b.js'));
    symlinkSync('c.js', join(dir, 'app', 'b.js'));
    expect(imageInputFingerprint(spec, 't')).to.not.equal(touched);
  });
});
