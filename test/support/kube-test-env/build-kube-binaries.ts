import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { Progress } from '../../../harness/console/progress';
import { runtimeError } from '../../../harness/errors/harness-error';
import { requireCommand } from '../../../harness/process/required-commands';
import { runGo } from '../../../harness/runtime/go-build';
import {
  KUBE_MODULE_DIR,
  KWOK_MODULE_DIR,
  kubeBinaries,
  kubeBinaryFiles,
  missingKubeBinaries,
  type KubeBinaries,
  type KubeBinarySet,
} from './kube-binaries';

export interface KubeBuildResult {
  binaries: KubeBinaries;
  /** Base names of what this call built (empty when everything was there). */
  built: string[];
  seconds: number;
}

const PACKAGES: Record<string, string> = {
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  // go names a main package's binary after its last path element without the major version: "server".
  etcd: 'go.etcd.io/etcd/server/v3',
};
const KWOK_PACKAGE = 'sigs.k8s.io/kwok/cmd/kwok';
const METRICS_SERVER_PACKAGE = 'sigs.k8s.io/metrics-server/cmd/metrics-server';
/** The kinds kwok reads from the API server rather than from its config file (see node-simulator.ts). */
export const KWOK_CRD_FILES = ['kwok.x-k8s.io_clusterresourceusages.yaml'];

/**
 * Builds what a test env needs from the Go module proxy's sources into the cache, skipping what is there:
 * one `go build` per module, so binaries of one module share the compile of their common packages.
 */
export async function buildKubeBinaries(
  progress: Progress,
  opts: { force?: boolean; signal?: AbortSignal; set?: KubeBinarySet } = {},
): Promise<KubeBuildResult> {
  const bins = kubeBinaries();
  const set = opts.set ?? 'cluster';
  const started = Date.now();
  const missing = new Set(opts.force ? kubeBinaryFiles(bins, set) : missingKubeBinaries(bins, set));
  const built: string[] = [];
  if (missing.size === 0) return { binaries: bins, built, seconds: 0 };
  requireCommand('go', 'install Go 1.24 or newer (https://go.dev/dl) or `apt-get install golang`');

  const kube = [bins.apiserver, bins.etcd, bins.controllerManager].filter((f) => missing.has(f));
  if (kube.length > 0) {
    const names = kube.map((f) => basename(f));
    await goBuildInto(bins.dir, {
      moduleDir: KUBE_MODULE_DIR,
      packages: names.map((n) => PACKAGES[n] as string),
      ldflags: ['-s', '-w', ...kubeVersionFlags(bins.version)],
      renames: { server: 'etcd' },
      what: `building ${names.join(', ')} ${bins.version}`,
      progress,
      signal: opts.signal,
    });
    built.push(...names);
  }

  const sim = [bins.kwok, bins.metricsServer, bins.kwokCrdDir].filter((f) => missing.has(f));
  if (sim.length > 0) {
    await goBuildInto(bins.nodeSimDir, {
      moduleDir: KWOK_MODULE_DIR,
      packages: [KWOK_PACKAGE, METRICS_SERVER_PACKAGE],
      ldflags: ['-s', '-w'],
      renames: {},
      what: `building kwok ${bins.kwokVersion} and metrics-server ${bins.metricsServerVersion}`,
      progress,
      signal: opts.signal,
      extra: async (staging) => copyKwokCrds(join(staging, 'crds')),
    });
    built.push('kwok', 'metrics-server');
  }
  return { binaries: bins, built, seconds: (Date.now() - started) / 1000 };
}

/** Without these a Kubernetes binary calls itself v0.0.0-master, which clients and the compatibility-version logic read. */
function kubeVersionFlags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

interface GoBuildPlan {
  moduleDir: string;
  packages: string[];
  ldflags: string[];
  /** Output names go gives → names in the cache. */
  renames: Record<string, string>;
  what: string;
  progress: Progress;
  signal?: AbortSignal;
  /** Adds files to the staging dir before it is moved into place. */
  extra?: (staging: string) => Promise<void>;
}

/**
 * Builds into a staging dir beside the cache dir and then moves each file into place, so an interrupted build
 * never leaves a half-written binary where the next run would take it for a finished one.
 */
async function goBuildInto(dir: string, plan: GoBuildPlan): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(dir, { recursive: true });
  plan.progress.update(`${plan.what} (go build in ${plan.moduleDir})`);
  try {
    await runGo(['build', '-v', '-trimpath', '-ldflags', plan.ldflags.join(' '), '-o', `${staging}/`, ...plan.packages], {
      cwd: plan.moduleDir,
      progress: plan.progress,
      signal: plan.signal,
      what: plan.what,
    });
    for (const [from, to] of Object.entries(plan.renames))
      if (existsSync(join(staging, from))) renameSync(join(staging, from), join(staging, to));
    await plan.extra?.(staging);
    for (const name of readdirSync(staging)) {
      rmSync(join(dir, name), { recursive: true, force: true });
      renameSync(join(staging, name), join(dir, name));
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** kwok's CRDs come with its module source, which the build has just put into the module cache. */
async function copyKwokCrds(into: string): Promise<void> {
  const { stdout } = await promisify(execFile)('go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
    cwd: KWOK_MODULE_DIR,
    timeout: 60_000,
  });
  const source = join(stdout.trim(), 'kustomize', 'crd', 'bases');
  mkdirSync(into, { recursive: true });
  for (const file of KWOK_CRD_FILES) {
    if (!existsSync(join(source, file)))
      throw runtimeError(
        'KWOK_CRD_MISSING',
        `${file} is not in ${source}`,
        `check the sigs.k8s.io/kwok version in ${KWOK_MODULE_DIR}/go.mod`,
      );
    cpSync(join(source, file), join(into, file));
  }
}
