import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot } from '../../../harness/paths';

/** The Go module that builds kube-apiserver, kube-controller-manager and etcd for the Kubernetes target's tests. */
export const KUBE_MODULE_DIR = resolve(import.meta.dirname, '../../../runtime/kube');
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
}

/** What a test env needs: the API server alone, or the API server with controllers, fake nodes and metrics. */
export type KubeBinarySet = 'api-server' | 'cluster';

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

export function kubeBinaries(version = pinnedKubeVersion(), sim = pinnedNodeSimVersions()): KubeBinaries {
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
  };
}

/** The files a set needs. */
export function kubeBinaryFiles(bins: KubeBinaries, set: KubeBinarySet): string[] {
  return set === 'api-server'
    ? [bins.apiserver, bins.etcd]
    : [bins.apiserver, bins.etcd, bins.controllerManager, bins.kwok, bins.metricsServer, bins.kwokCrdDir];
}

export function missingKubeBinaries(bins: KubeBinaries = kubeBinaries(), set: KubeBinarySet = 'cluster'): string[] {
  return kubeBinaryFiles(bins, set).filter((f) => !existsSync(f));
}

export function kubeBinariesBuilt(bins: KubeBinaries = kubeBinaries(), set: KubeBinarySet = 'api-server'): boolean {
  return missingKubeBinaries(bins, set).length === 0;
}
