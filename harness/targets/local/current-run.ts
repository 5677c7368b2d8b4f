import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalDeploymentDescription } from './deployment-description';
import { RUN_ID_ENV } from './run-dir';

/** `.run/current.json`: the deployment `up` left running, for `status` and `down`. */
export interface CurrentRun extends LocalDeploymentDescription {
  supervisorPid: number;
  startedAt: string;
}

export function currentRunFile(runRoot: string): string {
  return join(runRoot, 'current.json');
}

export function readCurrentRun(runRoot: string): CurrentRun | undefined {
  const file = currentRunFile(runRoot);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as CurrentRun;
}

/** Written atomically: a reader never sees half a file. */
export function writeCurrentRun(runRoot: string, run: CurrentRun): void {
  const file = currentRunFile(runRoot);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(run, null, 2));
  renameSync(tmp, file);
}

export function clearCurrentRun(runRoot: string, runId: string): void {
  const current = readCurrentRun(runRoot);
  if (current?.runId === runId) rmSync(currentRunFile(runRoot), { force: true });
}

export { pidAlive } from '../../process/pid-alive';

/**
 * Pids of live processes started for `runId`: found by the variable every harness process carries, or, for
 * processes that overwrite their environment (redis-server), by the run directory in their command line.
 */
export function processesOfRun(runId: string): number[] {
  const needle = `${RUN_ID_ENV}=${runId}`;
  const inRunDir = `/${runId}/`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (env.split('\0').includes(needle) || cmdline.includes(inRunDir)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids.filter((pid) => pid !== process.pid);
}
