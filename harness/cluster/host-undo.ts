import { poll } from '../process/wait/poll';
import type { HostChange } from './host-journal';

/** What undoing host changes needs from the machine; the real one is in host-ops.ts, tests give their own. */
export interface HostOps {
  readSysctl(key: string): string | undefined;
  writeSysctl(key: string, value: string): void;
  /** Start time of a live pid (clock ticks after boot), undefined when no such process runs. */
  processStartTime(pid: number): number | undefined;
  /** SIGTERM to the process and its group, SIGKILL after `graceMs`; resolves once it is gone. */
  killProcess(pid: number, graceMs: number): Promise<void>;
  pidsWithArg(arg: string): number[];
  /** Pids in the cgroup `name` (and below) of every hierarchy. */
  cgroupPids(name: string): number[];
  /** Removes the cgroup `name` and its descendants from every hierarchy (they must be empty). */
  removeCgroup(name: string): void;
  /** Mount points at or below `path`, deepest first. */
  mountsUnder(path: string): string[];
  unmount(mountPoint: string): void;
  linkExists(name: string): boolean;
  deleteLink(name: string): void;
  pathExists(path: string): boolean;
  listDir(path: string): string[];
  removePath(path: string): void;
  /** Paths of unix sockets some process listens on. */
  unixSocketsInUse(): Set<string>;
  /** Chains per table, keyed `ipv4/nat`, `ipv6/filter`, … */
  iptablesChains(): Record<string, string[]>;
  /** Removes the rules jumping to `chains`, then flushes and deletes them. */
  removeIptablesChains(table: string, chains: string[]): void;
}

export interface UndoResult {
  /** One line per change undone, in the order undone. */
  done: string[];
  /** One line per change that could not be undone, with why. */
  failed: string[];
}

/** How long a process gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 10_000;
/** A cgroup's processes may fork while being killed; this many passes get them all. */
const CGROUP_KILL_PASSES = 5;
/** How long a cgroup emptied of processes may stay busy before its removal counts as failed. */
const CGROUP_REMOVE_MS = 15_000;

/**
 * Undoes `changes` newest first, so what was started last stops first and a mount goes before the directory it is
 * in. Keeps going past a failure, and is safe to run again: each step checks the machine first.
 */
export async function undoHostChanges(changes: HostChange[], ops: HostOps, onStep: (what: string) => void = () => {}): Promise<UndoResult> {
  const result: UndoResult = { done: [], failed: [] };
  for (const change of [...changes].reverse()) {
    const what = describeChange(change);
    onStep(what);
    try {
      const did = await undoOne(change, ops);
      if (did) result.done.push(what);
    } catch (err) {
      result.failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return result;
}

async function undoOne(change: HostChange, ops: HostOps): Promise<boolean> {
  switch (change.kind) {
    case 'process': {
      if (ops.processStartTime(change.pid) !== change.startTime) return false;
      await ops.killProcess(change.pid, STOP_GRACE_MS);
      return true;
    }
    case 'processes-with-arg': {
      const pids = ops.pidsWithArg(change.arg);
      await Promise.all(pids.map((pid) => ops.killProcess(pid, STOP_GRACE_MS)));
      return pids.length > 0;
    }
    case 'cgroup': {
      for (let pass = 0; pass < CGROUP_KILL_PASSES; pass++) {
        const pids = ops.cgroupPids(change.name);
        if (pids.length === 0) break;
        await Promise.all(pids.map((pid) => ops.killProcess(pid, 0)));
      }
      // A killed container's cgroup stays busy until the kernel has reaped its last task: rmdir is retried.
      await poll(
        `cgroup ${change.name} to be removable`,
        async () => {
          for (const pid of ops.cgroupPids(change.name)) await ops.killProcess(pid, 0);
          ops.removeCgroup(change.name);
          return true;
        },
        { timeoutMs: CGROUP_REMOVE_MS, intervalMs: 250 },
      );
      return true;
    }
    case 'mounts-under':
      return unmountUnder(change.path, ops);
    case 'path': {
      const unmounted = unmountUnder(change.path, ops);
      if (!ops.pathExists(change.path)) return unmounted;
      const inUse = [...ops.unixSocketsInUse()];
      if (!change.existedBefore) return removeUnused(change.path, inUse, ops) || unmounted;
      const before = new Set(change.entriesBefore ?? []);
      let removed = false;
      for (const entry of ops.listDir(change.path).filter((e) => !before.has(e)))
        removed = removeUnused(`${change.path}/${entry}`, inUse, ops) || removed;
      return removed || unmounted;
    }
    case 'link': {
      if (!ops.linkExists(change.name)) return false;
      ops.deleteLink(change.name);
      return true;
    }
    case 'iptables': {
      let removed = false;
      for (const [table, chains] of Object.entries(addedChains(change.chainsBefore, ops.iptablesChains(), change.prefixes))) {
        ops.removeIptablesChains(table, chains);
        removed = true;
      }
      return removed;
    }
    case 'sysctl': {
      const now = ops.readSysctl(change.key);
      if (now === undefined || now === change.previous) return false;
      ops.writeSysctl(change.key, change.previous);
      return true;
    }
  }
}

/**
 * Removes `path`, except what leads to a socket some process still listens on: a path shared with another
 * containerd of the machine (its shim sockets in /run/containerd/s, say) keeps that process's entries.
 */
function removeUnused(path: string, inUse: string[], ops: HostOps): boolean {
  if (!inUse.some((socket) => socket === path || socket.startsWith(`${path}/`))) {
    ops.removePath(path);
    return true;
  }
  let removed = false;
  for (const entry of ops.listDir(path)) removed = removeUnused(`${path}/${entry}`, inUse, ops) || removed;
  return removed;
}

function unmountUnder(path: string, ops: HostOps): boolean {
  const mounts = ops.mountsUnder(path);
  for (const m of mounts) ops.unmount(m);
  return mounts.length > 0;
}

/** Per table, the chains present now that were not before and carry one of the cluster's prefixes. */
export function addedChains(before: Record<string, string[]>, now: Record<string, string[]>, prefixes: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [table, chains] of Object.entries(now)) {
    const old = new Set(before[table] ?? []);
    const added = chains.filter((c) => !old.has(c) && prefixes.some((p) => c.startsWith(p)));
    if (added.length > 0) out[table] = added;
  }
  return out;
}

export function describeChange(c: HostChange): string {
  switch (c.kind) {
    case 'process':
      return `stop ${c.name} (pid ${c.pid})`;
    case 'processes-with-arg':
      return `stop processes started with ${c.arg}`;
    case 'cgroup':
      return `kill the processes of cgroup ${c.name} and remove it`;
    case 'mounts-under':
      return `unmount everything under ${c.path}`;
    case 'path':
      return c.existedBefore ? `remove what was added to ${c.path}` : `remove ${c.path}`;
    case 'link':
      return `delete network interface ${c.name}`;
    case 'iptables':
      return `remove iptables chains ${c.prefixes.map((p) => `${p}*`).join(', ')} created since`;
    case 'sysctl':
      return `restore ${c.key} to ${c.previous}`;
  }
}
