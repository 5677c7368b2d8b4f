import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { Progress } from '../console/progress';
import { runtimeError } from '../errors/harness-error';
import { requireCommand } from '../process/required-commands';
import { runGo } from '../runtime/go-build';
import { stampedComplete, writeStamp } from './build-stamp';
import {
  buildGroups,
  COREDNS_MODULE_DIR,
  KUBE_MODULE_DIR,
  KWOK_MODULE_DIR,
  kubeBinaries,
  kubeBinaryFiles,
  missingKubeBinaries,
  type KubeBinaries,
  type KubeBinarySet,
  type KubeBuildGroup,
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
  kubelet: 'k8s.io/kubernetes/cmd/kubelet',
  'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
  'kube-proxy': 'k8s.io/kubernetes/cmd/kube-proxy',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
};
const KWOK_PACKAGE = 'sigs.k8s.io/kwok/cmd/kwok';
const METRICS_SERVER_PACKAGE = 'sigs.k8s.io/metrics-server/cmd/metrics-server';
const COREDNS_PACKAGE = 'github.com/coredns/coredns';
/** The kinds kwok reads from the API server rather than from its config file (see node-simulator.ts). */
export const KWOK_CRD_FILES = ['kwok.x-k8s.io_clusterresourceusages.yaml'];

/**
 * Builds what a set needs from the Go module proxy's sources into the cache, skipping groups that are there and
 * match their stamp: one `go build` per group, so binaries of one module share the compile of their common
 * packages, and a group is replaced whole.
 */
export async function buildKubeBinaries(
  progress: Progress,
  opts: { force?: boolean; signal?: AbortSignal; set?: KubeBinarySet; groups?: KubeBuildGroup[] } = {},
): Promise<KubeBuildResult> {
  const bins = kubeBinaries();
  const set = opts.set ?? 'cluster';
  const started = Date.now();
  const missing = new Set(opts.force ? kubeBinaryFiles(bins, set) : missingKubeBinaries(bins, set));
  const built: string[] = [];
  if (missing.size === 0) return { binaries: bins, built, seconds: 0 };
  requireCommand('go', 'install Go 1.24 or newer (https://go.dev/dl) or `apt-get install golang`');

  for (const [group, g] of Object.entries(buildGroups(bins)) as [KubeBuildGroup, ReturnType<typeof buildGroups>[KubeBuildGroup]][]) {
    if (!g.files.some((f) => missing.has(f)) || (opts.groups && !opts.groups.includes(group))) continue;
    // Another build (a second checkout, CI's step) may have finished this group meanwhile.
    if (!opts.force && stampedComplete(g.dir, group, g.version, g.files)) continue;
    const names = g.files.map((f) => basename(f));
    await goBuildInto(g.dir, { ...plans(bins)[group], progress, signal: opts.signal });
    writeStamp(g.dir, group, g.version, g.files);
    built.push(...names.filter((n) => n !== 'crds'));
  }
  return { binaries: bins, built, seconds: (Date.now() - started) / 1000 };
}

type Plan = Omit<GoBuildPlan, 'progress' | 'signal'>;

function plans(bins: KubeBinaries): Record<KubeBuildGroup, Plan> {
  const kube = (files: string[]): Plan => {
    const names = files.map((f) => basename(f));
    return {
      moduleDir: KUBE_MODULE_DIR,
      packages: names.map((n) => PACKAGES[n] as string),
      ldflags: ['-s', '-w', ...kubeVersionFlags(bins.version)],
      renames: { server: 'etcd' },
      what: `building ${names.join(', ')} ${bins.version}`,
    };
  };
  return {
    'control-plane': kube([bins.apiserver, bins.etcd, bins.controllerManager]),
    node: kube([bins.kubelet, bins.scheduler, bins.proxy, bins.kubectl]),
    'node-sim': {
      moduleDir: KWOK_MODULE_DIR,
      packages: [KWOK_PACKAGE, METRICS_SERVER_PACKAGE],
      ldflags: ['-s', '-w'],
      renames: {},
      what: `building kwok ${bins.kwokVersion} and metrics-server ${bins.metricsServerVersion}`,
      extra: async (staging) => copyKwokCrds(join(staging, 'crds')),
    },
    coredns: {
      moduleDir: COREDNS_MODULE_DIR,
      packages: [COREDNS_PACKAGE],
      ldflags: ['-s', '-w', `-X github.com/coredns/coredns/coremain.GitCommit=${bins.corednsVersion}`],
      // Static, so its image needs no libc.
      env: { CGO_ENABLED: '0' },
      renames: {},
      what: `building coredns ${bins.corednsVersion}`,
    },
  };
}

/** Without these a Kubernetes binary calls itself v0.0.0-master, which clients and the compatibility-version logic read. */
export function kubeVersionFlags(version: string): string[] {
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
  env?: Record<string, string>;
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
      env: plan.env,
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
