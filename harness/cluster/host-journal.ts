import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * One change the cluster makes to the machine, recorded before it is made so that an interrupted start, a crash or
 * a SIGKILL still leaves a record `down` can undo. Each kind says what undoing it means.
 */
export type HostChange =
  /** A kernel setting (dotted sysctl name) and the value it had before. */
  | { kind: 'sysctl'; key: string; previous: string }
  /** A process the cluster started; `startTime` (clock ticks after boot) tells it apart from a later one with a reused pid. */
  | { kind: 'process'; name: string; pid: number; startTime: number }
  /** Every process whose command line holds `arg` (containerd's shims name their containerd's socket). */
  | { kind: 'processes-with-arg'; arg: string }
  /**
   * A path something of the cluster may create. When it did not exist before it is removed whole; when it did, only
   * the entries added since go (those another process still listens on stay).
   */
  | { kind: 'path'; path: string; existedBefore: boolean; entriesBefore?: string[] }
  /** Everything mounted at or below `path` (pod volumes, container root filesystems, network namespaces). */
  | { kind: 'mounts-under'; path: string }
  /** A network interface (the pods' bridge), deleted when present. */
  | { kind: 'link'; name: string }
  /** A cgroup of this name at the top of each cgroup hierarchy; its processes are killed and its tree removed. */
  | { kind: 'cgroup'; name: string }
  /** iptables chains that existed before, per table; chains since created whose names start with `prefixes` go. */
  | { kind: 'iptables'; chainsBefore: Record<string, string[]>; prefixes: string[] };

/**
 * An append-only file of host changes, one JSON object a line, flushed to disk on every record so the record
 * survives whatever happens to the process next.
 */
export class HostJournal {
  constructor(readonly file: string) {}

  record(change: HostChange): void {
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(change)}\n`);
    const fd = openSync(this.file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The changes in the order they were made; a torn last line (a crash mid-write) is ignored. */
  entries(): HostChange[] {
    if (!existsSync(this.file)) return [];
    const out: HostChange[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as HostChange);
      } catch {
        // Only the last line can be torn; everything before it was flushed whole.
      }
    }
    return out;
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }
}
