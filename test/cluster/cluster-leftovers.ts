import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_CHAIN_PREFIXES, SHARED_HOST_PATHS, TOUCHED_SYSCTLS, type ClusterLayout } from '../../harness/cluster/cluster-layout';
import { iptablesChains, linkExists, mountsUnder, readSysctl } from '../../harness/cluster/host-ops';
import { addedChains } from '../../harness/cluster/host-undo';

/** The machine as the cluster may change it, taken before `up` to compare with after `down`. */
export interface HostSnapshot {
  sysctls: Record<string, string | undefined>;
  chains: Record<string, string[]>;
  sharedPaths: Record<string, string[] | null>;
  /** Network interfaces (/sys/class/net), so a pod's veth left behind is seen though the bridge is gone. */
  links: string[];
}

function list(path: string): string[] | null {
  if (!existsSync(path)) return null;
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

export function snapshotHost(): HostSnapshot {
  return {
    sysctls: Object.fromEntries(TOUCHED_SYSCTLS.map((k) => [k, readSysctl(k)])),
    chains: iptablesChains(),
    sharedPaths: Object.fromEntries(SHARED_HOST_PATHS.map((p) => [p, list(p)])),
    links: list('/sys/class/net') ?? [],
  };
}

/**
 * Processes whose command line names the cluster's dir: every process it starts is given a config, data dir,
 * kubeconfig or socket there (other users of the same cached binaries, a test control plane say, are not). Its
 * pods' processes live in its cgroup, which cannot be removed while one runs.
 */
function clusterProcesses(l: ClusterLayout): string[] {
  const marks = [l.dir];
  const out: string[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue;
    }
    if (marks.some((m) => cmd.includes(m))) out.push(`${e}: ${cmd.slice(0, 160)}`);
  }
  return out;
}

/** Everything of the cluster still on the machine after `down`, one line each; empty when nothing is left. */
export function clusterLeftovers(l: ClusterLayout, before: HostSnapshot): string[] {
  const left: string[] = [];
  left.push(...clusterProcesses(l).map((p) => `process ${p}`));
  left.push(...mountsUnder(l.dir).map((m) => `mount ${m}`));
  for (const [table, chains] of Object.entries(addedChains(before.chains, iptablesChains(), CLUSTER_CHAIN_PREFIXES)))
    left.push(`iptables ${table}: ${chains.join(', ')}`);
  if (linkExists(l.bridge)) left.push(`network interface ${l.bridge}`);
  const vethsAdded = (list('/sys/class/net') ?? []).filter((n) => n.startsWith('veth') && !before.links.includes(n));
  if (vethsAdded.length > 0) left.push(`network interfaces ${vethsAdded.join(', ')} (pods' veths)`);
  for (const h of readdirSync('/sys/fs/cgroup'))
    if (existsSync(join('/sys/fs/cgroup', h, l.cgroupRoot))) left.push(`cgroup ${h}/${l.cgroupRoot}`);
  if (existsSync(l.dataDir)) left.push(`dir ${l.dataDir}`);
  for (const f of [l.journal, l.stateFile, l.supervisorPidFile, l.kubeconfig]) if (existsSync(f)) left.push(`file ${f}`);
  for (const [path, entries] of Object.entries(before.sharedPaths)) {
    const now = list(path);
    if (entries === null && now !== null) left.push(`path ${path} (did not exist before)`);
    else if (entries !== null && now !== null) {
      const added = now.filter((e) => !entries.includes(e));
      if (added.length > 0) left.push(`entries added to ${path}: ${added.join(', ')}`);
    }
  }
  for (const [key, value] of Object.entries(before.sysctls)) {
    const now = readSysctl(key);
    if (now !== value) left.push(`sysctl ${key} is ${now}, was ${value}`);
  }
  return left;
}
