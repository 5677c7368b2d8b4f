import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from '../process/pid-alive';
import { sleep } from '../process/wait/sleep';
import type { HostOps } from './host-undo';

const CGROUP_ROOT = '/sys/fs/cgroup';
const IP_FAMILIES = { ipv4: 'iptables', ipv6: 'ip6tables' } as const;

function sysctlPath(key: string): string {
  return join('/proc/sys', ...key.split('.'));
}

export function readSysctl(key: string): string | undefined {
  try {
    return readFileSync(sysctlPath(key), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function writeSysctl(key: string, value: string): void {
  writeFileSync(sysctlPath(key), `${value}\n`);
}

/** Field 22 of /proc/PID/stat, read after the command name (which may hold spaces and parentheses). */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Pids whose command line has `arg` as one of its words. */
export function pidsWithArg(arg: string): number[] {
  return pids().filter((pid) => pid !== process.pid && cmdline(pid).includes(arg));
}

/** The cgroup hierarchies mounted under /sys/fs/cgroup (v1 controllers, the named systemd one, unified). */
function hierarchies(): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  return readdirSync(CGROUP_ROOT)
    .map((e) => join(CGROUP_ROOT, e))
    .filter((p) => existsSync(join(p, 'cgroup.procs')));
}

/** Every cgroup directory at or below `dir`, deepest first. */
function cgroupTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...cgroupTree(join(dir, e.name)));
  out.push(dir);
  return out;
}

export function cgroupPids(name: string): number[] {
  const found = new Set<number>();
  for (const h of hierarchies())
    for (const dir of cgroupTree(join(h, name)))
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line.trim()) found.add(Number(line));
  return [...found];
}

/** Creates the cgroup `name` in every hierarchy (the kubelet insists its cgroupRoot exists in each). */
export function createCgroup(name: string): void {
  for (const h of hierarchies()) execFileSync('mkdir', ['-p', join(h, name)]);
}

export function removeCgroup(name: string): void {
  for (const h of hierarchies()) for (const dir of cgroupTree(join(h, name))) rmdirSync(dir);
}

/** Mount points at or below `path` from /proc/self/mountinfo, deepest (and last mounted) first. */
export function mountsUnder(path: string): string[] {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean);
  const points = lines.map((l) => unescapeMount(l.split(' ')[4] ?? '')).filter((p) => p === path || p.startsWith(`${path}/`));
  return points.reverse().sort((a, b) => b.split('/').length - a.split('/').length);
}

function unescapeMount(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function unmount(mountPoint: string): void {
  try {
    execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  } catch {
    // Busy (a process still has it open): detach it now; the kernel frees it when the last user goes.
    execFileSync('umount', ['-l', mountPoint], { stdio: 'pipe' });
  }
}

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

export function unixSocketsInUse(): Set<string> {
  const out = new Set<string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const path = line.trim().split(/\s+/)[7];
    if (path?.startsWith('/')) out.add(path);
  }
  return out;
}

/** `iptables-save` of each family, as chains per `family/table`; a family without its tool is left out. */
export function iptablesChains(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [family, tool] of Object.entries(IP_FAMILIES)) {
    const save = iptablesSave(tool);
    if (save === undefined) continue;
    for (const [table, parsed] of Object.entries(parseIptablesSave(save))) out[`${family}/${table}`] = parsed.chains;
  }
  return out;
}

function iptablesSave(tool: string): string | undefined {
  try {
    return execFileSync(`${tool}-save`, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return undefined;
  }
}

export interface SavedTable {
  chains: string[];
  /** Rules as iptables-save prints them (`-A CHAIN …`). */
  rules: string[];
}

export function parseIptablesSave(text: string): Record<string, SavedTable> {
  const tables: Record<string, SavedTable> = {};
  let current: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = { chains: [], rules: [] };
      tables[line.slice(1).trim()] = current;
    } else if (line.startsWith(':') && current) current.chains.push(line.slice(1).split(' ')[0] ?? '');
    else if (line.startsWith('-A ') && current) current.rules.push(line);
  }
  return tables;
}

/**
 * The iptables-restore --noflush input that removes `chains` from `table`: first every rule elsewhere that jumps
 * to one of them (a chain still referenced cannot be deleted), then their own rules, then the chains.
 */
export function chainRemovalScript(table: string, saved: SavedTable, chains: string[]): string {
  const doomed = new Set(chains);
  const jumpsToDoomed = (rule: string): boolean => {
    const target = /\s-[jg]\s+(\S+)/.exec(rule)?.[1];
    const chain = rule.split(' ')[1] ?? '';
    return target !== undefined && doomed.has(target) && !doomed.has(chain);
  };
  const lines = [`*${table}`];
  for (const rule of saved.rules) if (jumpsToDoomed(rule)) lines.push(`-D${rule.slice(2)}`);
  for (const c of chains) lines.push(`-F ${c}`);
  for (const c of chains) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

export function removeIptablesChains(familyTable: string, chains: string[]): void {
  const [family, table] = familyTable.split('/') as [keyof typeof IP_FAMILIES, string];
  const tool = IP_FAMILIES[family];
  const saved = parseIptablesSave(iptablesSave(tool) ?? '')[table];
  if (!saved) return;
  const present = chains.filter((c) => saved.chains.includes(c));
  if (present.length === 0) return;
  execFileSync(`${tool}-restore`, ['--noflush'], { input: chainRemovalScript(table, saved, present), stdio: ['pipe', 'pipe', 'pipe'] });
}

async function killProcess(pid: number, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        // no such group, or already gone
      }
    }
  };
  if (graceMs > 0) {
    signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
  }
  if (pidAlive(pid)) signal('SIGKILL');
  const deadline = Date.now() + 5_000;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(50);
}

export const realHostOps: HostOps = {
  readSysctl,
  writeSysctl,
  processStartTime,
  killProcess,
  pidsWithArg,
  cgroupPids,
  removeCgroup,
  mountsUnder,
  unmount,
  linkExists,
  deleteLink: (name) => {
    // A pod's veth outlives the bridge while the kernel still holds its network namespace (seen after `down`): the
    // bridge's ports go first, each deletion taking both ends of the pair.
    const ports = `/sys/class/net/${name}/brif`;
    for (const port of existsSync(ports) ? readdirSync(ports) : []) {
      try {
        execFileSync('ip', ['link', 'delete', port], { stdio: 'pipe' });
      } catch {
        // Gone with its pod meanwhile.
      }
    }
    execFileSync('ip', ['link', 'delete', name], { stdio: 'pipe' });
  },
  pathExists: (p) => existsSync(p),
  listDir: (p) => (statSync(p).isDirectory() ? readdirSync(p) : []),
  removePath: (p) => rmSync(p, { recursive: true, force: true }),
  unixSocketsInUse,
  iptablesChains,
  removeIptablesChains,
};
