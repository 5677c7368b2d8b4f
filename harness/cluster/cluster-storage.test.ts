import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterLayout } from './cluster-layout';
import { makeVolumeDirs, storageObjects, STORAGE_CLASS } from './cluster-storage';

describe('cluster storage', () => {
  it('one default StorageClass and local volumes on the node, each a dir under the data dir that any user may write', () => {
    const dir = mkdtempSync(join(tmpdir(), 'storage-'));
    try {
      const l = clusterLayout(dir);
      const dirs = makeVolumeDirs(l, 2);
      for (const d of dirs) {
        expect(d.startsWith(l.dataDir)).to.equal(true);
        expect(statSync(d).mode & 0o7777).to.equal(0o1777);
      }
      const [sc, ...pvs] = storageObjects(l, 2) as {
        kind: string;
        metadata: { annotations?: Record<string, string> };
        spec?: { local?: { path: string } };
      }[];
      expect(sc?.kind).to.equal('StorageClass');
      expect(sc?.metadata.annotations?.['storageclass.kubernetes.io/is-default-class']).to.equal('true');
      expect(pvs.map((p) => p.spec?.local?.path)).to.deep.equal(dirs);
      expect(STORAGE_CLASS).to.equal('local');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
