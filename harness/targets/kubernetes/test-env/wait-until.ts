import { runtimeError } from '../../../errors/harness-error';
import { sleep } from '../../../process/wait/wait-strategy';

/** Polls `probe` every 200 ms until it says true; a probe that throws counts as not yet. */
export async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw signal.reason;
    try {
      if (await probe()) return;
    } catch (err) {
      lastError = err;
    }
    await sleep(200, signal);
  }
  const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw runtimeError('KUBE_TEST_ENV_NOT_READY', `waited ${timeoutMs / 1000}s for ${what}${why}`, 'see the logs in the test env dir');
}
