import { sleep } from './sleep';

export interface PollOptions {
  /** How long to keep asking; default 10 s. */
  timeoutMs?: number;
  /** Pause between two asks; default 200 ms. */
  intervalMs?: number;
  /** Stops the polling with the signal's reason. */
  signal?: AbortSignal;
}

/** Thrown when the deadline passes; `lastError` is what the probe last threw, if it threw. */
export class PollTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastError?: unknown,
  ) {
    super(`${what} did not happen within ${timeoutMs} ms${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`);
    this.name = 'PollTimeoutError';
  }
}

/**
 * The one polling loop: asks `probe` until it returns a value other than undefined or false, at least once and
 * once more at the deadline, so a slow first ask still gets a second chance. A probe that throws counts as "not
 * yet". Callers wrap the timeout into their own error where they need a code and a hint.
 */
export async function poll<T>(what: string, probe: () => Promise<T | undefined | false>, opts: PollOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new PollTimeoutError(what, timeoutMs, lastError);
    await sleep(Math.min(intervalMs, left), opts.signal);
  }
}
