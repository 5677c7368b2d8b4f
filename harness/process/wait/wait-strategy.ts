import { poll } from './poll';
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

export { sleep } from './sleep';

/** Polls `probe` until it returns true or the signal (the strategy's deadline) aborts: the one polling loop, unbounded. */
export async function pollUntil(probe: () => Promise<boolean>, signal: AbortSignal): Promise<void> {
  await poll('ready', probe, { timeoutMs: Infinity, intervalMs: POLL_INTERVAL_MS, signal });
}
