import { resolve } from 'node:path';
import { signalGroup } from '../../process/managed-process';
import { sleep } from '../../process/wait/wait-strategy';
import { clearCurrentRun, pidAlive, processesOfRun, readCurrentRun } from '../../targets/local/current-run';
import { createProgress } from '../../console/progress';

const STOP_TIMEOUT_MS = 60_000;

/**
 * Stops the detached deployment: asks its supervisor to stop everything in order, then sweeps any process of
 * that run still alive (a supervisor killed with SIGKILL cannot clean up after itself).
 */
export async function downCommand(opts: { runRoot: string }): Promise<number> {
  const runRoot = resolve(opts.runRoot);
  const current = readCurrentRun(runRoot);
  const progress = createProgress();
  if (!current) {
    progress.log('nothing to stop: no local deployment is recorded in .run/current.json');
    return 0;
  }
  if (pidAlive(current.supervisorPid)) {
    process.kill(current.supervisorPid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (pidAlive(current.supervisorPid) && Date.now() < deadline) {
      progress.update(`stopping run ${current.runId}`);
      await sleep(200);
    }
  }
  const strays = processesOfRun(current.runId);
  for (const pid of strays) {
    signalGroup(pid, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  clearCurrentRun(runRoot, current.runId);
  progress.done(
    `stopped run ${current.runId}${strays.length ? ` (${strays.length} stray processes killed)` : ''}; logs in ${current.runDir}/logs`,
  );
  return 0;
}
