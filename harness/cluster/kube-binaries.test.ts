import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  kubeBinaries,
  kubeBinariesBuilt,
  missingKubeBinaries,
  pinnedKubeVersion,
  pinnedNodeSimVersions,
  requiredVersion,
} from './kube-binaries';
import { writeStamp } from './build-stamp';

/** Runs `fn` with environment variables set (undefined: unset), restoring them afterwards. */
function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(vars);
  try {
    fn();
  } finally {
    set(saved);
  }
}

const SIM = { kwok: 'v0.7.0', metricsServer: 'v0.8.0' };

describe('kube binaries: versions from the go.mod files, cache dirs, what a set needs', () => {
  it('reads a required version from a one-line require and from a require block, indirect or not', () => {
    const gomod =
      'module x\n\nrequire k8s.io/kubernetes v1.34.4 // indirect\n\nrequire (\n\tsigs.k8s.io/kwok v0.7.0 // indirect\n\tsigs.k8s.io/metrics-server v0.8.0\n)\n\ntool (\n\tk8s.io/kubernetes/cmd/kube-apiserver\n)\n';
    expect(requiredVersion(gomod, 'k8s.io/kubernetes')).to.equal('v1.34.4');
    expect(requiredVersion(gomod, 'sigs.k8s.io/kwok')).to.equal('v0.7.0');
    expect(requiredVersion(gomod, 'sigs.k8s.io/metrics-server')).to.equal('v0.8.0');
    // A tool path that starts with a module's path is not that module's requirement.
    expect(requiredVersion('tool (\n\tsigs.k8s.io/kwok/cmd/kwok\n)\n', 'sigs.k8s.io/kwok')).to.equal(undefined);
    expect(requiredVersion(gomod, 'sigs.k8s.io/kwok-other')).to.equal(undefined);
  });

  it("names the repository's pins, and refuses a go.mod without them", () => {
    expect(pinnedKubeVersion()).to.match(/^v1\.\d+\.\d+$/);
    expect(pinnedNodeSimVersions()).to.deep.equal({ kwok: 'v0.7.0', metricsServer: 'v0.8.0' });
    expect(() => pinnedKubeVersion('module x\n')).to.throw(/does not require k8s\.io\/kubernetes/);
    expect(() => pinnedNodeSimVersions('module x\nrequire sigs.k8s.io/kwok v0.7.0\n')).to.throw(/does not require both/);
  });

  it("keeps each module's binaries in a cache dir named after its versions, unless the environment points elsewhere", () => {
    withEnv({ DAPR_HARNESS_KUBE_DIR: undefined, DAPR_HARNESS_KWOK_DIR: undefined, XDG_CACHE_HOME: '/cache' }, () => {
      const bins = kubeBinaries('v1.34.4', SIM, 'v1.12.1');
      expect([bins.apiserver, bins.etcd, bins.controllerManager]).to.deep.equal([
        '/cache/dapr-harness/kube-v1.34.4/kube-apiserver',
        '/cache/dapr-harness/kube-v1.34.4/etcd',
        '/cache/dapr-harness/kube-v1.34.4/kube-controller-manager',
      ]);
      expect([bins.kwok, bins.metricsServer, bins.kwokCrdDir]).to.deep.equal([
        '/cache/dapr-harness/kwok-v0.7.0-metrics-server-v0.8.0/kwok',
        '/cache/dapr-harness/kwok-v0.7.0-metrics-server-v0.8.0/metrics-server',
        '/cache/dapr-harness/kwok-v0.7.0-metrics-server-v0.8.0/crds',
      ]);
    });
    withEnv({ DAPR_HARNESS_KUBE_DIR: '/k', DAPR_HARNESS_KWOK_DIR: '/w' }, () => {
      const moved = kubeBinaries('v1.34.4', SIM, 'v1.12.1');
      expect([moved.apiserver, moved.kwok]).to.deep.equal(['/k/kube-apiserver', '/w/kwok']);
    });
  });

  it('an API-server env needs the control-plane build, a cluster the fake nodes too, the one-machine cluster a real node and CoreDNS', () => {
    const root = mkdtempSync(join(tmpdir(), 'kube-bins-'));
    try {
      withEnv({ DAPR_HARNESS_KUBE_DIR: join(root, 'kube'), DAPR_HARNESS_KWOK_DIR: join(root, 'kwok'), XDG_CACHE_HOME: root }, () => {
        const bins = kubeBinaries('v1.34.4', SIM, 'v1.12.1');
        expect(missingKubeBinaries(bins, 'api-server')).to.deep.equal([bins.apiserver, bins.etcd]);
        mkdirSync(bins.dir, { recursive: true });
        for (const f of [bins.apiserver, bins.etcd]) writeFileSync(f, 'x');
        // Built together: a control plane without its controller-manager is a build that did not finish.
        expect(missingKubeBinaries(bins, 'api-server')).to.deep.equal([bins.apiserver, bins.etcd]);
        writeFileSync(bins.controllerManager, 'x');
        expect(kubeBinariesBuilt(bins)).to.equal(true);
        expect(missingKubeBinaries(bins, 'api-server')).to.deep.equal([]);
        expect(missingKubeBinaries(bins, 'cluster')).to.deep.equal([bins.kwok, bins.metricsServer, bins.kwokCrdDir]);
        expect(kubeBinariesBuilt(bins, 'cluster')).to.equal(false);
        expect(missingKubeBinaries(bins, 'machine')).to.deep.equal([
          bins.kubelet,
          bins.scheduler,
          bins.proxy,
          bins.kubectl,
          bins.coredns,
          bins.metricsServer,
        ]);
        expect(bins.coredns).to.equal(join(root, 'dapr-harness', 'coredns-v1.12.1', 'coredns'));
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a group whose file no longer matches its stamp (truncated, replaced) is built again', () => {
    const root = mkdtempSync(join(tmpdir(), 'kube-bins-'));
    try {
      withEnv({ DAPR_HARNESS_KUBE_DIR: join(root, 'kube'), DAPR_HARNESS_KWOK_DIR: join(root, 'kwok') }, () => {
        const bins = kubeBinaries('v1.34.4', SIM, 'v1.12.1');
        mkdirSync(bins.dir, { recursive: true });
        const group = [bins.apiserver, bins.etcd, bins.controllerManager];
        for (const f of group) writeFileSync(f, 'whole binary');
        writeStamp(bins.dir, 'control-plane', bins.version, group);
        expect(missingKubeBinaries(bins, 'api-server')).to.deep.equal([]);
        writeFileSync(bins.etcd, 'whole bi');
        expect(missingKubeBinaries(bins, 'api-server'), 'a truncated file').to.deep.equal([bins.apiserver, bins.etcd]);
        writeFileSync(bins.etcd, 'whole BINARY');
        utimesSync(bins.etcd, new Date(), new Date(Date.now() + 5000));
        expect(missingKubeBinaries(bins, 'api-server'), 'a replaced file of the same size').to.deep.equal([bins.apiserver, bins.etcd]);
        writeFileSync(bins.etcd, 'whole binary');
        utimesSync(bins.etcd, new Date(), new Date(Date.now() + 10_000));
        expect(missingKubeBinaries(bins, 'api-server'), 'the same bytes, touched').to.deep.equal([]);
        writeStamp(bins.dir, 'control-plane', 'v1.33.0', group);
        expect(missingKubeBinaries(bins, 'api-server'), 'a stamp of another version').to.deep.equal([bins.apiserver, bins.etcd]);
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
