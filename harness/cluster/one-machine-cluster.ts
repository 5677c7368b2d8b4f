import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentProgress, type Progress } from '../console/progress';
import { usageError } from '../errors/harness-error';
import type { ManagedProcess } from '../process/managed-process';
import { commandPath } from '../process/required-commands';
import { PortAllocator } from '../targets/local/free-port';
import { connectCluster, type ClusterConnection } from '../targets/kubernetes/cluster-connection';
import { buildKubeBinaries } from './build-kube-binaries';
import { applyClusterObject } from './cluster-apply';
import { writeClusterCertificates } from './cluster-certificates';
import { corednsObjects } from './cluster-dns';
import {
  CLUSTER_CHAIN_PREFIXES,
  clusterLayout,
  nodeAddress,
  SHARED_HOST_PATHS,
  TOUCHED_SYSCTLS,
  type ClusterLayout,
} from './cluster-layout';
import { makeVolumeDirs, storageObjects } from './cluster-storage';
import { clearClusterState, writeClusterState, type ClusterState } from './cluster-state';
import { apiServerProcess, etcdProcess } from './control-plane';
import { controllerManagerProcess } from './controller-manager';
import { installDaprAsReadmeSays } from './dapr-install';
import { HostJournal } from './host-journal';
import { createCgroup, iptablesChains, linkExists, processStartTime, readSysctl, realHostOps, writeSysctl } from './host-ops';
import { undoHostChanges, type UndoResult } from './host-undo';
import { kubeBinaries, missingKubeBinaries } from './kube-binaries';
import { metricsServerProcess, registerMetricsApi } from './metrics-server';
import { CNI_BIN_DIR, cniConflist, containerdConfig, kubeconfigYaml, kubeletConfig, kubeProxyConfig } from './node-config';
import { containerdProcess, kubeletProcess, kubeProxyProcess, schedulerProcess } from './node-processes';
import { pollStartup } from './startup-poll';

export const CLUSTER_CONTEXT = 'dapr-harness';
/** 50 autoscaled replicas, the reference apps, Dapr's control plane and the system pods, with room to spare. */
export const MAX_PODS = 150;

/** The images the node needs before its first pod: the sandbox (pause) image and the CoreDNS image. */
export interface ClusterImages {
  pauseRef: string;
  corednsRef: string;
  /** Writes (or finds) the archives and imports them into the cluster's containerd at `containerdAddress`. */
  importInto(
    opts: { ctrPath: string; containerdAddress: string; corednsBinary: string; corednsRef: string },
    progress: Progress,
  ): Promise<void>;
}

export interface StartClusterOptions {
  layout?: ClusterLayout;
  images: ClusterImages;
  progress?: Progress;
  signal?: AbortSignal;
  /** Build missing binaries (default true). */
  build?: boolean;
  /**
   * Install Dapr, the secrets, Redis, NATS and the JetStream stream by k8s/dapr-system/README.md's single-node
   * commands once the node is up (needs the reference images).
   */
  installDapr?: boolean;
}

export interface RunningCluster {
  state: ClusterState;
  layout: ClusterLayout;
  processes: ManagedProcess[];
}

const NODE_READY_TIMEOUT_MS = 180_000;
const DNS_READY_TIMEOUT_MS = 180_000;

function requireTool(name: string, pkg: string): string {
  const path = commandPath(name);
  if (!path)
    throw usageError('MISSING_COMMAND', `\`${name}\` is not installed`, `run \`npm run setup\` (as root) or \`apt-get install ${pkg}\``);
  return path;
}

/** What the one-machine cluster needs from the machine, checked before anything changes on it. */
function preflight(l: ClusterLayout, journal: HostJournal): { containerd: string; ctr: string } {
  if (process.getuid?.() !== 0)
    throw usageError('CLUSTER_NEEDS_ROOT', 'the cluster runs containers, a bridge and iptables rules: it needs root', 'run it as root');
  if (journal.exists())
    throw usageError(
      'CLUSTER_ALREADY_UP',
      `a cluster is up or was not brought down (${journal.file} exists)`,
      'run `npm run cluster -- status`, or `npm run cluster -- down` to undo it',
    );
  if (linkExists(l.bridge))
    throw usageError(
      'CLUSTER_BRIDGE_TAKEN',
      `network interface ${l.bridge} already exists`,
      `another checkout's cluster runs here: bring it down first`,
    );
  const tools = { containerd: requireTool('containerd', 'containerd'), ctr: requireTool('ctr', 'containerd') };
  requireTool('runc', 'runc');
  requireTool('iptables', 'iptables');
  requireTool('openssl', 'openssl');
  for (const plugin of ['bridge', 'host-local', 'portmap'])
    if (!existsSync(join(CNI_BIN_DIR, plugin)))
      throw usageError(
        'MISSING_COMMAND',
        `CNI plugin ${plugin} is not in ${CNI_BIN_DIR}`,
        'run `npm run setup` or `apt-get install containernetworking-plugins`',
      );
  return tools;
}

/** The kernel's IPv4 routes as [network, prefix length]. */
function routedNetworks(): [number, number][] {
  return readFileSync('/proc/net/route', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 7 && f[1] !== '00000000')
    .map((f) => [leHexToInt(f[1] ?? '0'), popcount(leHexToInt(f[7] ?? '0'))]);
}

function leHexToInt(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | (n >>> 24)) >>> 0;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n >>> 0; v; v >>>= 1) c += v & 1;
  return c;
}

export function parseCidr(cidr: string): [number, number] {
  const [addr, len] = cidr.split('/');
  const n = (addr ?? '').split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
  return [n, Number(len)];
}

export function cidrsOverlap(a: [number, number], b: [number, number]): boolean {
  const len = Math.min(a[1], b[1]);
  const mask = len === 0 ? 0 : (~0 << (32 - len)) >>> 0;
  return (a[0] & mask) === (b[0] & mask);
}

function refuseCollidingRanges(l: ClusterLayout): void {
  for (const cidr of [l.podCidr, l.serviceCidr]) {
    const range = parseCidr(cidr);
    const clash = routedNetworks().find((r) => cidrsOverlap(r, range));
    if (clash)
      throw usageError(
        'CLUSTER_RANGE_TAKEN',
        `the cluster's range ${cidr} overlaps a network this machine routes already`,
        'free that network, or change the ranges in harness/cluster/cluster-layout.ts',
      );
  }
}

/**
 * Starts the one-machine cluster and returns once its node is Ready, CoreDNS answers and metrics.k8s.io is served.
 * Every host change is recorded in the journal before it is made; a start that fails or is interrupted undoes
 * them all before it throws.
 */
export async function startCluster(opts: StartClusterOptions): Promise<RunningCluster> {
  const l = opts.layout ?? clusterLayout();
  const progress = opts.progress ?? silentProgress;
  const journal = new HostJournal(l.journal);
  const tools = preflight(l, journal);
  refuseCollidingRanges(l);
  const node = nodeAddress();

  let bins = kubeBinaries();
  const missing = missingKubeBinaries(bins, 'machine');
  if (missing.length > 0) {
    if (opts.build === false)
      throw usageError(
        'KUBE_BINARIES_MISSING',
        `the cluster's binaries are not built (missing ${missing.join(', ')})`,
        'run `npm run cluster -- build`',
      );
    progress.log(`building the cluster's binaries once (missing ${missing.map((m) => m.split('/').pop()).join(', ')})`);
    bins = (await buildKubeBinaries(progress, { signal: opts.signal, set: 'machine' })).binaries;
  }

  const processes: ManagedProcess[] = [];
  let started = false;
  try {
    recordHostBaseline(l, journal);
    const start = async (p: ManagedProcess): Promise<ManagedProcess> => {
      const starting = p.start(opts.signal);
      // The spawn has happened by now (start() spawns before its first await): record it before waiting.
      if (p.pid) journal.record({ kind: 'process', name: p.name, pid: p.pid, startTime: processStartTime(p.pid) ?? -1 });
      processes.push(p);
      await starting;
      return p;
    };

    mkdirSync(l.logDir, { recursive: true });
    for (const d of [
      l.pkiDir,
      l.etcdDir,
      l.containerdRoot,
      l.containerdState,
      l.cniConfDir,
      l.cniIpamDir,
      l.kubeletRoot,
      l.podLogsDir,
      l.configDir,
    ])
      mkdirSync(d, { recursive: true });
    journal.record({ kind: 'sysctl', key: 'net.ipv4.ip_forward', previous: readSysctl('net.ipv4.ip_forward') ?? '0' });
    writeSysctl('net.ipv4.ip_forward', '1');

    progress.update('writing certificates and configs');
    const ports = new PortAllocator();
    const certs = writeClusterCertificates(l.pkiDir, {
      apiServerNames: [
        node.ip,
        '127.0.0.1',
        l.apiServiceIp,
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        `kubernetes.default.svc.${l.clusterDomain}`,
      ],
      componentNames: ['127.0.0.1', 'localhost', 'metrics-server.kube-system.svc'],
      kubeletNames: [node.ip, l.nodeName],
      caName: 'dapr-harness-cluster',
      validDays: 30,
    });
    const caPem = readFileSync(certs.caCert, 'utf8');
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(l.pkiDir, 'tokens.csv');
    writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    const mtu = Number(readFileSync(`/sys/class/net/${node.iface}/mtu`, 'utf8').trim()) || 1500;
    writeFileSync(l.containerdConfig, containerdConfig(l, opts.images.pauseRef));
    writeFileSync(join(l.cniConfDir, '10-dapr-harness.conflist'), cniConflist(l, mtu));

    progress.update('starting containerd');
    await start(containerdProcess(l, tools));
    journal.record({ kind: 'processes-with-arg', arg: l.containerdSocket });
    progress.update('importing the images');
    await opts.images.importInto(
      { ctrPath: tools.ctr, containerdAddress: l.containerdSocket, corednsBinary: bins.coredns, corednsRef: opts.images.corednsRef },
      progress,
    );

    progress.update('starting etcd');
    const etcdUrl = `http://127.0.0.1:${await ports.next()}`;
    await start(
      etcdProcess({
        binary: bins.etcd,
        dataDir: l.etcdDir,
        clientUrl: etcdUrl,
        peerUrl: `http://127.0.0.1:${await ports.next()}`,
        logDir: l.logDir,
      }),
    );

    progress.update(`starting kube-apiserver ${bins.version} on ${node.ip}`);
    const apiPort = await ports.next();
    const server = `https://${node.ip}:${apiPort}`;
    await start(
      apiServerProcess({
        binary: bins.apiserver,
        etcdUrl,
        bindAddress: node.ip,
        advertiseAddress: node.ip,
        securePort: apiPort,
        certs,
        caPem,
        tokenFile,
        token,
        serviceCidr: l.serviceCidr,
        endpointReconciler: true,
        kubelet: { preferredAddressTypes: 'InternalIP,Hostname' },
        dataDir: l.pkiDir,
        logDir: l.logDir,
      }),
    );
    mkdirSync(l.dir, { recursive: true });
    writeFileSync(l.kubeconfig, kubeconfigYaml(CLUSTER_CONTEXT, server, caPem, token), { mode: 0o600 });
    const conn = await connectCluster({ kubeconfig: l.kubeconfig });

    progress.update('starting kube-controller-manager and kube-scheduler');
    const common = { kubeconfig: l.kubeconfig, certs, caPem, logDir: l.logDir };
    await start(controllerManagerProcess({ ...common, binary: bins.controllerManager, port: await ports.next(), hpaSyncPeriod: '15s' }));
    await start(schedulerProcess({ ...common, binary: bins.scheduler, port: await ports.next() }));

    progress.update(`starting kubelet and kube-proxy ${bins.version}`);
    const kubeletPort = await ports.next();
    const kubeletHealthz = await ports.next();
    const kubeletConfigFile = join(l.configDir, 'kubelet.yaml');
    writeFileSync(
      kubeletConfigFile,
      kubeletConfig(l, {
        nodeIp: node.ip,
        port: kubeletPort,
        healthzPort: kubeletHealthz,
        caCert: certs.caCert,
        tlsCert: certs.kubeletCert,
        tlsKey: certs.kubeletKey,
        resolvConf: '/etc/resolv.conf',
        maxPods: MAX_PODS,
      }),
    );
    const kubeletStarted = Date.now();
    await start(
      kubeletProcess(l, {
        binary: bins.kubelet,
        config: kubeletConfigFile,
        kubeconfig: l.kubeconfig,
        nodeIp: node.ip,
        healthzPort: kubeletHealthz,
      }),
    );
    const proxyHealthz = await ports.next();
    const proxyConfigFile = join(l.configDir, 'kube-proxy.yaml');
    writeFileSync(
      proxyConfigFile,
      kubeProxyConfig(l, { kubeconfig: l.kubeconfig, nodeIp: node.ip, healthzPort: proxyHealthz, metricsPort: await ports.next() }),
    );
    await start(kubeProxyProcess(l, { binary: bins.proxy, config: proxyConfigFile, healthzPort: proxyHealthz }));

    progress.update(`waiting for node ${l.nodeName} to be Ready`);
    await pollStartup(`node ${l.nodeName} to be Ready`, () => nodeReady(conn, l.nodeName), {
      timeoutMs: NODE_READY_TIMEOUT_MS,
      intervalMs: 500,
      signal: opts.signal,
      logs: l.logDir,
    });
    const nodeReadySeconds = (Date.now() - kubeletStarted) / 1000;

    progress.update('starting metrics-server and CoreDNS');
    const metricsPort = await ports.next();
    await start(metricsServerProcess({ ...common, binary: bins.metricsServer, port: metricsPort }));
    await registerMetricsApi(conn, metricsPort, caPem, opts.signal);
    for (const obj of corednsObjects(l, opts.images.corednsRef)) await applyClusterObject(conn, obj);
    await pollStartup('CoreDNS to answer for kubernetes.default', () => dnsAnswers(l), {
      timeoutMs: DNS_READY_TIMEOUT_MS,
      intervalMs: 1000,
      signal: opts.signal,
      logs: l.logDir,
    });

    progress.update('local volumes and the default StorageClass');
    makeVolumeDirs(l);
    for (const obj of storageObjects(l)) await applyClusterObject(conn, obj);

    let daprInstallSeconds: number | undefined;
    if (opts.installDapr) {
      const installed = await installDaprAsReadmeSays({
        kubeconfig: l.kubeconfig,
        kubectl: bins.kubectl,
        logDir: l.logDir,
        progress,
        signal: opts.signal,
      });
      daprInstallSeconds = installed.seconds;
    }

    const state: ClusterState = {
      server,
      kubeconfig: l.kubeconfig,
      context: CLUSTER_CONTEXT,
      nodeName: l.nodeName,
      nodeIp: node.ip,
      version: bins.version,
      supervisorPid: process.pid,
      startedAt: new Date().toISOString(),
      nodeReadySeconds,
      daprInstallSeconds,
      processes: processes.map((p) => ({ name: p.name, pid: p.pid ?? 0 })),
    };
    writeClusterState(l, state);
    started = true;
    return { state, layout: l, processes };
  } finally {
    if (!started) await stopCluster(l, progress);
  }
}

/**
 * What exists before the cluster changes anything: the kernel settings its parts may change, the shared paths
 * they may write, the iptables chains there are, and the cgroup and bridge it will own.
 */
function recordHostBaseline(l: ClusterLayout, journal: HostJournal): void {
  journal.record({ kind: 'path', path: l.dataDir, existedBefore: false });
  journal.record({ kind: 'mounts-under', path: l.dataDir });
  for (const key of TOUCHED_SYSCTLS) {
    const value = readSysctl(key);
    if (value !== undefined) journal.record({ kind: 'sysctl', key, previous: value });
  }
  for (const path of SHARED_HOST_PATHS) {
    const existed = existsSync(path);
    journal.record({ kind: 'path', path, existedBefore: existed, ...(existed ? { entriesBefore: safeList(path) } : {}) });
  }
  journal.record({ kind: 'iptables', chainsBefore: iptablesChains(), prefixes: CLUSTER_CHAIN_PREFIXES });
  journal.record({ kind: 'cgroup', name: l.cgroupRoot });
  createCgroup(l.cgroupRoot);
  journal.record({ kind: 'link', name: l.bridge });
  createBridge(l);
}

/**
 * The pods' bridge, made before the CNI plugin would make it, with the service range routed to it: until
 * kube-proxy has written a Service's rules, its ClusterIP would otherwise follow the default route off the
 * machine. The plugin takes the bridge over as it is; the route goes with it at `down`.
 */
function createBridge(l: ClusterLayout): void {
  execFileSync('ip', ['link', 'add', l.bridge, 'type', 'bridge'], { stdio: 'pipe' });
  execFileSync('ip', ['link', 'set', l.bridge, 'up'], { stdio: 'pipe' });
  execFileSync('ip', ['route', 'add', l.serviceCidr, 'dev', l.bridge], { stdio: 'pipe' });
}

function safeList(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

async function nodeReady(conn: ClusterConnection, name: string): Promise<boolean> {
  const node = await conn.core.readNode({ name });
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** CoreDNS answers, through kube-proxy's rules for its Service, with the `kubernetes` Service's address. */
async function dnsAnswers(l: ClusterLayout): Promise<boolean> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([l.dnsServiceIp]);
  const answers = await resolver.resolve4(`kubernetes.default.svc.${l.clusterDomain}`);
  return answers.includes(l.apiServiceIp);
}

/**
 * Undoes everything the journal records, newest first (processes, pods and their cgroups, mounts, the bridge,
 * chains, paths, kernel settings), then removes the journal and the cluster's data, keeping the logs.
 */
export async function stopCluster(l: ClusterLayout = clusterLayout(), progress: Progress = silentProgress): Promise<UndoResult> {
  const journal = new HostJournal(l.journal);
  const result = await undoHostChanges(journal.entries(), realHostOps, (what) => progress.update(what));
  if (result.failed.length === 0) {
    journal.remove();
    clearClusterState(l);
    rmSync(l.kubeconfig, { force: true });
  }
  return result;
}
