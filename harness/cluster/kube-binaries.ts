import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot } from '../paths';
import { stampedComplete } from './build-stamp';

/**
 * The Go module that builds Kubernetes from its pinned release: etcd, kube-apiserver and kube-controller-manager
 * (the test control plane and the one-machine cluster), kubelet, kube-scheduler, kube-proxy and kubectl (the
 * one-machine cluster).
 */
export const KUBE_MODULE_DIR = resolve(import.meta.dirname, '../../runtime/kube');
/** The Go module that builds CoreDNS, the one-machine cluster's DNS. */
export const COREDNS_MODULE_DIR = resolve(import.meta.dirname, '../../runtime/coredns');
/**
 * The Go module that builds kwok and metrics-server. A module of its own: kwok's releases pin older k8s.io
 * libraries than kube-apiserver's (see its go.mod), and both only talk to the API server over its REST API.
 */
export const KWOK_MODULE_DIR = join(KUBE_MODULE_DIR, 'kwok');

export interface KubeBinaries {
  /** Kubernetes release, e.g. v1.34.4. */
  version: string;
  dir: string;
  apiserver: string;
  etcd: string;
  controllerManager: string;
  /** kwok release, e.g. v0.7.0. */
  kwokVersion: string;
  metricsServerVersion: string;
  /** Where kwok, metrics-server and kwok's CRDs are kept. */
  nodeSimDir: string;
  kwok: string;
  metricsServer: string;
  /** kwok's CRD manifests, copied from its module when it is built. */
  kwokCrdDir: string;
  kubelet: string;
  scheduler: string;
  proxy: string;
  kubectl: string;
  corednsVersion: string;
  corednsDir: string;
  coredns: string;
}

/**
 * What a test env needs: the API server alone, or the API server with controllers, fake nodes and metrics; or
 * what the one-machine cluster runs (`machine`): the whole control plane, a real node, CoreDNS and metrics-server.
 */
export type KubeBinarySet = 'api-server' | 'cluster' | 'machine';

/** Binaries built by one `go build`, kept in one dir with one stamp. */
export type KubeBuildGroup = 'control-plane' | 'node' | 'node-sim' | 'coredns';

/** The release of a module a go.mod requires, so the go.mod stays the one source of truth. */
export function requiredVersion(gomod: string, module: string): string | undefined {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^(?:require\\s+|\\s+)${escaped} (v[0-9][^\\s]*)`, 'm').exec(gomod)?.[1];
}

function readGoMod(dir: string): string {
  return readFileSync(join(dir, 'go.mod'), 'utf8');
}

/** The Kubernetes release runtime/kube/go.mod pins. */
export function pinnedKubeVersion(gomod = readGoMod(KUBE_MODULE_DIR)): string {
  const version = requiredVersion(gomod, 'k8s.io/kubernetes');
  if (!version) throw new Error(`${KUBE_MODULE_DIR}/go.mod does not require k8s.io/kubernetes`);
  return version;
}

export function pinnedNodeSimVersions(gomod = readGoMod(KWOK_MODULE_DIR)): { kwok: string; metricsServer: string } {
  const kwok = requiredVersion(gomod, 'sigs.k8s.io/kwok');
  const metricsServer = requiredVersion(gomod, 'sigs.k8s.io/metrics-server');
  if (!kwok || !metricsServer)
    throw new Error(`${KWOK_MODULE_DIR}/go.mod does not require both sigs.k8s.io/kwok and sigs.k8s.io/metrics-server`);
  return { kwok, metricsServer };
}

export function pinnedCorednsVersion(gomod = readGoMod(COREDNS_MODULE_DIR)): string {
  const version = requiredVersion(gomod, 'github.com/coredns/coredns');
  if (!version) throw new Error(`${COREDNS_MODULE_DIR}/go.mod does not require github.com/coredns/coredns`);
  return version;
}

export function kubeBinaries(
  version = pinnedKubeVersion(),
  sim = pinnedNodeSimVersions(),
  corednsVersion = pinnedCorednsVersion(),
): KubeBinaries {
  const corednsDir = join(cacheRoot(), `coredns-${corednsVersion}`);
  const dir = process.env.DAPR_HARNESS_KUBE_DIR || join(cacheRoot(), `kube-${version}`);
  const nodeSimDir = process.env.DAPR_HARNESS_KWOK_DIR || join(cacheRoot(), `kwok-${sim.kwok}-metrics-server-${sim.metricsServer}`);
  return {
    version,
    dir,
    apiserver: join(dir, 'kube-apiserver'),
    etcd: join(dir, 'etcd'),
    controllerManager: join(dir, 'kube-controller-manager'),
    kwokVersion: sim.kwok,
    metricsServerVersion: sim.metricsServer,
    nodeSimDir,
    kwok: join(nodeSimDir, 'kwok'),
    metricsServer: join(nodeSimDir, 'metrics-server'),
    kwokCrdDir: join(nodeSimDir, 'crds'),
    kubelet: join(dir, 'kubelet'),
    scheduler: join(dir, 'kube-scheduler'),
    proxy: join(dir, 'kube-proxy'),
    kubectl: join(dir, 'kubectl'),
    corednsVersion,
    corednsDir,
    coredns: join(corednsDir, 'coredns'),
  };
}

/** The files of each build group, and the dir its stamp lives in. */
export function buildGroups(bins: KubeBinaries): Record<KubeBuildGroup, { dir: string; version: string; files: string[] }> {
  return {
    'control-plane': { dir: bins.dir, version: bins.version, files: [bins.apiserver, bins.etcd, bins.controllerManager] },
    node: { dir: bins.dir, version: bins.version, files: [bins.kubelet, bins.scheduler, bins.proxy, bins.kubectl] },
    'node-sim': {
      dir: bins.nodeSimDir,
      version: `${bins.kwokVersion}+${bins.metricsServerVersion}`,
      files: [bins.kwok, bins.metricsServer, bins.kwokCrdDir],
    },
    coredns: { dir: bins.corednsDir, version: bins.corednsVersion, files: [bins.coredns] },
  };
}

/** The files a set needs. */
export function kubeBinaryFiles(bins: KubeBinaries, set: KubeBinarySet): string[] {
  switch (set) {
    case 'api-server':
      return [bins.apiserver, bins.etcd];
    case 'cluster':
      return [bins.apiserver, bins.etcd, bins.controllerManager, bins.kwok, bins.metricsServer, bins.kwokCrdDir];
    case 'machine':
      return [
        bins.apiserver,
        bins.etcd,
        bins.controllerManager,
        bins.kubelet,
        bins.scheduler,
        bins.proxy,
        bins.kubectl,
        bins.coredns,
        bins.metricsServer,
      ];
  }
}

/**
 * The files of `set` that are missing or belong to a group whose stamp does not match what is on disk (a build
 * that was interrupted, or a file changed since), so the group must be built again.
 */
export function missingKubeBinaries(bins: KubeBinaries = kubeBinaries(), set: KubeBinarySet = 'cluster'): string[] {
  const wanted = kubeBinaryFiles(bins, set);
  const broken = new Set(
    Object.entries(buildGroups(bins))
      .filter(([name, g]) => g.files.some((f) => wanted.includes(f)) && !stampedComplete(g.dir, name, g.version, g.files))
      .flatMap(([, g]) => g.files),
  );
  return wanted.filter((f) => !existsSync(f) || broken.has(f));
}

export function kubeBinariesBuilt(bins: KubeBinaries = kubeBinaries(), set: KubeBinarySet = 'api-server'): boolean {
  return missingKubeBinaries(bins, set).length === 0;
}
