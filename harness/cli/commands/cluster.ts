import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildKubeBinaries } from '../../cluster/build-kube-binaries';
import { clusterImages } from '../../cluster/cluster-images';
import { clusterLayout, type ClusterLayout } from '../../cluster/cluster-layout';
import { readClusterState, type ClusterState } from '../../cluster/cluster-state';
import { HostJournal } from '../../cluster/host-journal';
import { startCluster, stopCluster } from '../../cluster/one-machine-cluster';
import { createProgress } from '../../console/progress';
import { renderTable } from '../../console/table';
import { runtimeError, usageError } from '../../errors/harness-error';
import { startDetachedSupervisor, writeSupervisorFailure } from '../../process/detached-supervisor';
import { pidAlive } from '../../process/pid-alive';
import { sleep } from '../../process/wait/sleep';
import { onInterrupt } from '../../session/interrupts';
import { connectCluster } from '../../targets/kubernetes/cluster-connection';

export interface ClusterUpOptions {
  detach?: boolean;
  supervise?: boolean;
  readyTimeout: string;
  /** commander's `--no-reference-images`: only the node's own images (pause, CoreDNS). */
  referenceImages?: boolean;
  /** commander's `--no-dapr`: the cluster only, Dapr left to k8s/dapr-system/README.md's commands. */
  dapr?: boolean;
}

export const CLUSTER_UP_DEFAULTS = { readyTimeout: '1800' };
/** `down` waits this long for the supervisor to undo everything itself before doing it in its place. */
const SUPERVISOR_STOP_MS = 120_000;

function failureFile(l: ClusterLayout): string {
  return join(l.dir, 'failure.json');
}

export async function clusterUpCommand(opts: ClusterUpOptions): Promise<number> {
  const l = clusterLayout();
  const timeoutMs = Number(opts.readyTimeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw usageError('BAD_FLAG', `--ready-timeout ${opts.readyTimeout} is not a number of seconds`, 'e.g. --ready-timeout 600');
  const state = readClusterState(l);
  if (state && pidAlive(state.supervisorPid))
    throw usageError(
      'CLUSTER_ALREADY_UP',
      `the cluster is already up (supervisor pid ${state.supervisorPid})`,
      'use it, or stop it with `npm run cluster -- down`',
    );
  const starting = readSupervisorPid(l);
  if (starting && pidAlive(starting))
    throw usageError(
      'CLUSTER_ALREADY_UP',
      `a cluster is being started (pid ${starting})`,
      'wait for it, or stop it with `npm run cluster -- down`',
    );
  const what: UpContents = { referenceImages: opts.referenceImages !== false, dapr: opts.referenceImages !== false && opts.dapr !== false };
  if (opts.detach) return detach(l, timeoutMs, what);
  try {
    return await foreground(l, Boolean(opts.supervise), what);
  } catch (err) {
    if (opts.supervise) {
      // The detached parent reads this to report the failure as its own, with the right exit code.
      mkdirSync(l.dir, { recursive: true });
      writeSupervisorFailure(failureFile(l), err, { code: 'CLUSTER_UP_FAILED', hint: `see ${l.logDir}` });
    }
    throw err;
  }
}

/** What `up` puts on the cluster besides the node's own images: Dapr needs the reference images. */
interface UpContents {
  referenceImages: boolean;
  dapr: boolean;
}

/** Starts the cluster and holds it until SIGINT/SIGTERM; every way out undoes what was started. */
async function foreground(l: ClusterLayout, supervised: boolean, what: UpContents): Promise<number> {
  const progress = createProgress();
  const abort = new AbortController();
  let up = false;
  let release: (() => void) | undefined;
  const stopListening = onInterrupt((signal) => {
    if (!up) abort.abort(runtimeError('INTERRUPTED', `cluster start interrupted by ${signal}`, 'everything started so far was undone'));
    else release?.();
  });
  mkdirSync(l.dir, { recursive: true });
  writeFileSync(l.supervisorPidFile, `${process.pid}\n`);
  try {
    progress.log(`starting the one-machine cluster in ${l.dir}`);
    const cluster = await startCluster({
      layout: l,
      images: clusterImages({ reference: what.referenceImages }),
      installDapr: what.dapr,
      progress,
      signal: abort.signal,
    });
    up = true;
    progress.done();
    process.stdout.write(`${describeCluster(cluster.state)}\n`);
    if (!supervised) progress.log('ready · Ctrl-C stops the cluster and undoes its changes to this machine');
    await new Promise<void>((r) => {
      release = r;
    });
    progress.log('stopping the cluster…');
    return 0;
  } finally {
    if (up) {
      const result = await stopCluster(l, progress);
      progress.done(undoSummary(result.done.length, result.failed));
    }
    if (readSupervisorPid(l) === process.pid) rmSync(l.supervisorPidFile, { force: true });
    stopListening();
  }
}

function readSupervisorPid(l: ClusterLayout): number | undefined {
  try {
    return Number(readFileSync(l.supervisorPidFile, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Starts a supervisor (this command with --supervise) in its own session and returns once it reports the cluster up. */
async function detach(l: ClusterLayout, timeoutMs: number, what: UpContents): Promise<number> {
  mkdirSync(l.logDir, { recursive: true });
  rmSync(failureFile(l), { force: true });
  const logFile = join(l.logDir, 'supervisor.log');
  rmSync(logFile, { force: true });
  const progress = createProgress();
  const { pid, ready } = await startDetachedSupervisor({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      resolve(import.meta.dirname, '../main.ts'),
      'cluster',
      'up',
      '--supervise',
      ...(what.referenceImages ? [] : ['--no-reference-images']),
      ...(what.dapr ? [] : ['--no-dapr']),
    ],
    env: { CI: process.env.CI ?? '' },
    logFile,
    failureFile: failureFile(l),
    timeoutMs,
    ready: (p) => {
      const state = readClusterState(l);
      return state?.supervisorPid === p ? state : undefined;
    },
    what: 'the cluster',
    codes: { failed: 'CLUSTER_UP_FAILED', timeout: 'CLUSTER_UP_TIMEOUT' },
    progress,
  });
  process.stdout.write(`${describeCluster(ready)}\n`);
  progress.log(`ready (supervisor pid ${pid}) · stop it with \`npm run cluster -- down\``);
  return 0;
}

/**
 * Stops the cluster: asks its supervisor to undo everything, then undoes whatever the journal still records
 * itself (a supervisor killed with SIGKILL cannot clean up after itself).
 */
export async function clusterDownCommand(): Promise<number> {
  const l = clusterLayout();
  const progress = createProgress();
  const state = readClusterState(l);
  const journal = new HostJournal(l.journal);
  if (!state && !journal.exists() && readSupervisorPid(l) === undefined) {
    progress.log(`nothing to stop: no cluster is recorded in ${l.dir}`);
    return 0;
  }
  // A supervisor still starting the cluster has no state file yet, only its pid file.
  const supervisorPid = state?.supervisorPid ?? readSupervisorPid(l);
  const supervised = supervisorPid !== undefined && pidAlive(supervisorPid);
  if (supervisorPid && supervised) {
    process.kill(supervisorPid, 'SIGTERM');
    const deadline = Date.now() + SUPERVISOR_STOP_MS;
    while (pidAlive(supervisorPid) && Date.now() < deadline) {
      progress.update(`the cluster's supervisor (pid ${supervisorPid}) is stopping it`);
      await sleep(250);
    }
  }
  const result = await stopCluster(l, progress);
  if (result.failed.length === 0 && !(supervisorPid && pidAlive(supervisorPid))) rmSync(l.supervisorPidFile, { force: true });
  progress.done(
    supervised && result.done.length === 0 && result.failed.length === 0
      ? `cluster stopped; its supervisor (pid ${supervisorPid}) undid every recorded host change`
      : undoSummary(result.done.length, result.failed),
  );
  if (result.failed.length > 0)
    throw runtimeError(
      'CLUSTER_DOWN_INCOMPLETE',
      `${result.failed.length} change(s) could not be undone: ${result.failed.join('; ')}`,
      `fix the cause and run \`npm run cluster -- down\` again (the journal ${l.journal} is kept)`,
    );
  return 0;
}

function undoSummary(done: number, failed: string[]): string {
  return failed.length === 0
    ? `cluster stopped; ${done} host change(s) undone`
    : `cluster stopped with ${failed.length} change(s) left: ${failed.join('; ')}`;
}

/** What runs: each process of the cluster, the node's readiness, the API server's version. */
export async function clusterStatusCommand(opts: { json?: boolean }): Promise<number> {
  const l = clusterLayout();
  const state = readClusterState(l);
  if (!state) {
    const leftover = new HostJournal(l.journal).exists();
    process.stdout.write(
      leftover
        ? `no cluster is up, but host changes of one are recorded in ${l.journal}: run \`npm run cluster -- down\`\n`
        : 'no cluster is up (start one with `npm run cluster -- up --detach`)\n',
    );
    return 1;
  }
  const procs = state.processes.map((p) => ({ ...p, alive: pidAlive(p.pid) }));
  let nodeReady = false;
  let serverVersion = '';
  let pods = 0;
  try {
    const conn = await connectCluster({ kubeconfig: state.kubeconfig });
    serverVersion = conn.serverVersion;
    const node = await conn.core.readNode({ name: state.nodeName });
    nodeReady = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    pods = (await conn.core.listPodForAllNamespaces()).items.length;
  } catch {
    // reported as not ready below
  }
  const supervisor = pidAlive(state.supervisorPid);
  const healthy = supervisor && nodeReady && procs.every((p) => p.alive);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ ...state, supervisorAlive: supervisor, nodeReady, serverVersion, pods, processes: procs, healthy }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `${renderTable(
        ['PROCESS', 'PID', 'STATE'],
        procs.map((p) => [p.name, String(p.pid), p.alive ? 'running' : 'GONE']),
      )}\n` +
        `node ${state.nodeName} (${state.nodeIp}) ${nodeReady ? 'Ready' : 'NOT READY'} · ${pods} pods · API server ${state.server} ${serverVersion || 'UNREACHABLE'}\n` +
        `supervisor pid ${state.supervisorPid} ${supervisor ? 'alive' : 'GONE'} · started ${state.startedAt}\n` +
        `kubeconfig: ${state.kubeconfig}\n`,
    );
  }
  return healthy ? 0 : 1;
}

/** Builds every binary the project's clusters run (the one-machine cluster and the test control plane), once. */
export async function clusterBuildCommand(opts: { force?: boolean }): Promise<number> {
  const progress = createProgress();
  const built: string[] = [];
  let seconds = 0;
  for (const set of ['machine', 'cluster'] as const) {
    const r = await buildKubeBinaries(progress, { force: opts.force && set === 'machine', set });
    built.push(...r.built);
    seconds += r.seconds;
  }
  const { binaries: b } = await buildKubeBinaries(progress, { set: 'machine' });
  progress.done(
    `Kubernetes ${b.version} in ${b.dir}, CoreDNS ${b.corednsVersion} in ${b.corednsDir}, kwok ${b.kwokVersion} and metrics-server ${b.metricsServerVersion} in ${b.nodeSimDir} (${built.length > 0 ? `built ${[...new Set(built)].join(', ')} in ${seconds.toFixed(0)} s` : 'already built'})`,
  );
  return 0;
}

export function describeCluster(s: ClusterState): string {
  return [
    `Kubernetes ${s.version} · node ${s.nodeName} (${s.nodeIp}) Ready ${s.nodeReadySeconds.toFixed(0)} s after the kubelet started`,
    ...(s.daprInstallSeconds !== undefined
      ? [
          `Dapr, Redis, NATS and the JetStream stream installed by k8s/dapr-system/README.md's commands in ${s.daprInstallSeconds.toFixed(0)} s`,
        ]
      : []),
    `API server: ${s.server}`,
    `kubeconfig: ${s.kubeconfig}`,
    `  export KUBECONFIG=${s.kubeconfig}`,
  ].join('\n');
}
