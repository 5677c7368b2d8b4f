import { runtimeError } from '../../../harness/errors/harness-error';
import { poll, PollTimeoutError, type PollOptions } from '../../../harness/process/wait/poll';

/**
 * poll() for the test env's own start-up. A component that never comes up says why in its log, not in the
 * probe's answer, so a timeout becomes KUBE_TEST_ENV_NOT_READY pointing there.
 */
export async function pollTestEnv<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  opts: PollOptions & { timeoutMs: number },
): Promise<T> {
  try {
    return await poll(what, probe, opts);
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    const why = err.lastError instanceof Error ? ` (last error: ${err.lastError.message})` : '';
    throw runtimeError(
      'KUBE_TEST_ENV_NOT_READY',
      `waited ${opts.timeoutMs / 1000}s for ${what}${why}`,
      'see the logs in the test env dir',
      err,
    );
  }
}
