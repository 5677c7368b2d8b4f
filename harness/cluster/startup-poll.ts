import { runtimeError } from '../errors/harness-error';
import { poll, PollTimeoutError, type PollOptions } from '../process/wait/poll';

/**
 * poll() for a cluster's own start-up (the one-machine cluster's, the test control plane's). A component that
 * never comes up says why in its log, not in the probe's answer, so a timeout becomes CLUSTER_NOT_READY pointing
 * at the logs.
 */
export async function pollStartup<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: PollOptions & { timeoutMs: number; logs?: string },
): Promise<T> {
  try {
    return await poll(what, probe, opts);
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    const why = err.lastError instanceof Error ? ` (last error: ${err.lastError.message})` : '';
    throw runtimeError(
      'CLUSTER_NOT_READY',
      `waited ${opts.timeoutMs / 1000}s for ${what}${why}`,
      `see the logs in ${opts.logs ?? "the cluster's log dir"}`,
      err,
    );
  }
}
