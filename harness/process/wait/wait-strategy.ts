/**
 * A readiness check for a started process, in the spirit of testcontainers' wait strategies:
 * it resolves once the process is ready and rejects with a message that says what never became ready.
 */
export interface WaitContext {
  /** Name of the process being waited for, for messages. */
  name: string;
  /** Absolute path of the process's log file. */
  logFile: string;
  /** Aborted when the process exits or the start is cancelled. */
  signal: AbortSignal;
}

export interface WaitStrategy {
  describe(): string;
  waitUntilReady(ctx: WaitContext): Promise<void>;
}

export const POLL_INTERVAL_MS = 100;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `probe` until it returns true or the signal aborts. */
export async function pollUntil(probe: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  for (;;) {
    if (signal.aborted) throw signal.reason;
    if (await probe()) return;
    await sleep(POLL_INTERVAL_MS, signal);
  }
}
