import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUN_ROOT } from '../paths';

/**
 * Where the one-machine cluster keeps everything, and the names and address ranges it owns on this machine. All of
 * it is the project's own, so nothing collides with another container runtime, bridge or cluster here.
 */
export interface ClusterLayout {
  /** `.run/cluster`: the host-change journal, the kubeconfig, state, logs and data. */
  dir: string;
  journal: string;
  /** Written once the cluster is up: the supervisor's pid, the API server, the kubeconfig. */
  stateFile: string;
  /** The pid of the process holding the cluster, from the start of `up` (before the state file exists). */
  supervisorPidFile: string;
  kubeconfig: string;
  logDir: string;
  /** Everything removed at `down`: certificates, etcd, containerd's root and state, the kubelet's root, pod logs. */
  dataDir: string;
  pkiDir: string;
  etcdDir: string;
  containerdRoot: string;
  containerdState: string;
  containerdConfig: string;
  containerdSocket: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletRoot: string;
  podLogsDir: string;
  configDir: string;
  /** The pods' bridge. */
  bridge: string;
  /** The name of the cgroup under which every pod runs, in each hierarchy. */
  cgroupRoot: string;
  /** The CNI network name. */
  networkName: string;
  podCidr: string;
  /** The one node's pod range (the bridge's subnet). */
  nodePodCidr: string;
  serviceCidr: string;
  /** The `kubernetes` Service's ClusterIP: the first address of the service range. */
  apiServiceIp: string;
  dnsServiceIp: string;
  clusterDomain: string;
  nodeName: string;
}

export const CLUSTER_DIR = join(DEFAULT_RUN_ROOT, 'cluster');

export function clusterLayout(dir = CLUSTER_DIR): ClusterLayout {
  const data = join(dir, 'data');
  return {
    dir,
    journal: join(dir, 'host-changes.jsonl'),
    stateFile: join(dir, 'state.json'),
    supervisorPidFile: join(dir, 'supervisor.pid'),
    kubeconfig: join(dir, 'kubeconfig'),
    logDir: join(dir, 'logs'),
    dataDir: data,
    pkiDir: join(data, 'pki'),
    etcdDir: join(data, 'etcd'),
    containerdRoot: join(data, 'containerd', 'root'),
    containerdState: join(data, 'containerd', 'state'),
    containerdConfig: join(data, 'containerd', 'config.toml'),
    containerdSocket: join(data, 'containerd', 'containerd.sock'),
    cniConfDir: join(data, 'cni', 'net.d'),
    cniIpamDir: join(data, 'cni', 'ipam'),
    kubeletRoot: join(data, 'kubelet'),
    podLogsDir: join(data, 'pod-logs'),
    configDir: join(data, 'config'),
    bridge: 'dhbr0',
    cgroupRoot: 'dapr-harness-cluster',
    networkName: 'dapr-harness',
    podCidr: '10.213.0.0/16',
    nodePodCidr: '10.213.0.0/24',
    serviceCidr: '10.214.0.0/16',
    apiServiceIp: '10.214.0.1',
    dnsServiceIp: '10.214.0.10',
    clusterDomain: 'cluster.local',
    nodeName: hostname().toLowerCase(),
  };
}

/**
 * Paths outside the cluster's own dir that its parts write to whatever they are told (the kubelet's container log
 * links, libcni's result cache, containerd's shim sockets, the iptables lock); the journal records whether each
 * was there before.
 */
export const SHARED_HOST_PATHS = [
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/kubelet',
  '/var/lib/cni',
  '/run/containerd',
  '/run/xtables.lock',
];

/** Kernel settings the cluster sets itself or its kubelet and kube-proxy may set; each is restored at `down`. */
export const TOUCHED_SYSCTLS = [
  'net.ipv4.ip_forward',
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
  'net.ipv4.conf.all.route_localnet',
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
];

/** Chains of kube-proxy and the kubelet (KUBE-…) and of the CNI plugins (CNI-…). */
export const CLUSTER_CHAIN_PREFIXES = ['KUBE-', 'CNI-'];

/** The address and interface of the default route: what pods and the API server's clients reach this machine by. */
export function nodeAddress(routes = readFileSync('/proc/net/route', 'utf8'), addrs = interfaceAddresses()): { ip: string; iface: string } {
  const defaultRoute = routes
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === '00000000');
  const iface = defaultRoute?.[0];
  const ip = iface ? addrs[iface] : undefined;
  if (!iface || !ip) throw new Error('this machine has no default route with an IPv4 address');
  return { ip, iface };
}

function interfaceAddresses(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    const v4 = infos?.find((i) => i.family === 'IPv4' && !i.internal);
    if (v4) out[name] = v4.address;
  }
  return out;
}
