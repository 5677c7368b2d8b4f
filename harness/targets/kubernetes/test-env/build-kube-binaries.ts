import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Progress } from '../../../cli/progress';
import { requireCommand } from '../../local/required-commands';
import { runGo } from './go-build';
import { KUBE_MODULE_DIR, kubeBinaries, kubeBinariesBuilt, type KubeBinaries } from './kube-binaries';

export interface KubeBuildResult {
  binaries: KubeBinaries;
  built: boolean;
  seconds: number;
}

const ETCD_PACKAGE = 'go.etcd.io/etcd/server/v3';
const APISERVER_PACKAGE = 'k8s.io/kubernetes/cmd/kube-apiserver';

/**
 * Builds kube-apiserver and etcd from the Go module proxy's sources into the cache, unless they are there.
 * Both are built by one `go build`, so the two share the compile of their common packages.
 */
export async function buildKubeBinaries(progress: Progress, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<KubeBuildResult> {
  const bins = kubeBinaries();
  const started = Date.now();
  if (!opts.force && kubeBinariesBuilt(bins)) return { binaries: bins, built: false, seconds: 0 };
  requireCommand('go', 'install Go 1.24 or newer (https://go.dev/dl) or `apt-get install golang`');
  const [major, minor] = bins.version.replace(/^v/, '').split('.');
  // Without these the binary calls itself v0.0.0-master, which clients and the compatibility-version logic read.
  const versionVars = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${bins.version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
  const ldflags = ['-s', '-w', ...versionVars].join(' ');
  // Build beside the cache dir and rename, so an interrupted build never leaves half a set of binaries behind.
  const staging = `${bins.dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(dirname(bins.dir), { recursive: true });
  progress.update(`building kube-apiserver ${bins.version} and etcd (go build in ${KUBE_MODULE_DIR})`);
  try {
    await runGo(['build', '-v', '-trimpath', '-ldflags', ldflags, '-o', `${staging}/`, ETCD_PACKAGE, APISERVER_PACKAGE], {
      cwd: KUBE_MODULE_DIR,
      progress,
      signal: opts.signal,
      what: `building kube-apiserver ${bins.version} and etcd`,
    });
    // go names a main package's binary after its last path element without the major version: "server".
    renameSync(join(staging, 'server'), join(staging, 'etcd'));
    if (existsSync(bins.dir)) rmSync(bins.dir, { recursive: true, force: true });
    renameSync(staging, bins.dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { binaries: bins, built: true, seconds: (Date.now() - started) / 1000 };
}
