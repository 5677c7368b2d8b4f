import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheRoot } from '../../../runtime/runtime-binaries';

/** The Go module that builds kube-apiserver and etcd for the Kubernetes target's tests. */
export const KUBE_MODULE_DIR = resolve(import.meta.dirname, '../../../../runtime/kube');

export interface KubeBinaries {
  /** Kubernetes release, e.g. v1.34.4. */
  version: string;
  dir: string;
  apiserver: string;
  etcd: string;
}

/** The Kubernetes release runtime/kube/go.mod pins, so there is one source of truth. */
export function pinnedKubeVersion(gomod = readFileSync(join(KUBE_MODULE_DIR, 'go.mod'), 'utf8')): string {
  const match = /^require k8s\.io\/kubernetes (v[0-9][^\s]*)/m.exec(gomod);
  if (!match?.[1]) throw new Error(`${KUBE_MODULE_DIR}/go.mod does not require k8s.io/kubernetes`);
  return match[1];
}

export function kubeBinaries(version = pinnedKubeVersion()): KubeBinaries {
  const dir = process.env.DAPR_HARNESS_KUBE_DIR || join(cacheRoot(), `kube-${version}`);
  return { version, dir, apiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
}

export function kubeBinariesBuilt(bins: KubeBinaries = kubeBinaries()): boolean {
  return existsSync(bins.apiserver) && existsSync(bins.etcd);
}
