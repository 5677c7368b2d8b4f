import { processesOfRun } from '../../harness/targets/local/current-run';
import { sleep } from '../../harness/process/wait/wait-strategy';

/** Waits (bounded) until no process of the run is alive; returns the pids still alive at the deadline. */
export async function survivorsAfter(runId: string, timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = processesOfRun(runId);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(200);
    alive = processesOfRun(runId);
  }
  return alive;
}

/** Pid of a server listening on a standard port that the machine started (not ours), if any. */
export function describePids(pids: number[]): string {
  return pids.map((p) => `${p}`).join(', ');
}
