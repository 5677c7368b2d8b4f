import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import type { Progress } from '../console/progress';
import { HarnessError, runtimeError } from '../errors/harness-error';
import { pidAlive } from './pid-alive';
import { sleep } from './wait/sleep';

export interface DetachedSupervisorOptions<T> {
  /** The supervisor's command line: the CLI in its supervising mode. */
  command: string;
  args: string[];
  env?: Record<string, string>;
  logFile: string;
  /** Where the supervisor writes its failure (writeSupervisorFailure) when its start fails. */
  failureFile: string;
  timeoutMs: number;
  /** What the supervisor reported once it is ready, or undefined while it is not. */
  ready: (pid: number) => T | undefined;
  /** What is being started, for messages: "the deployment", "the cluster". */
  what: string;
  /** Error codes for a supervisor that exits before it is ready, and for one that is not ready in time. */
  codes: { failed: string; timeout: string };
  progress: Progress;
}

/**
 * Starts a supervisor in its own session (it owns what it starts and outlives this process) and returns once it
 * reports ready. A supervisor that fails says why in its failure file, which becomes this process's error with the
 * same code and exit code; one that is not ready in time, or a Ctrl-C here, is sent SIGTERM so it undoes its start.
 */
export async function startDetachedSupervisor<T>(o: DetachedSupervisorOptions<T>): Promise<{ pid: number; ready: T }> {
  const fd = openSync(o.logFile, 'a');
  const child = spawn(o.command, o.args, { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...o.env } });
  closeSync(fd);
  child.unref();
  const pid = child.pid ?? 0;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const interrupt = (): void => {
    process.kill(-pid, 'SIGTERM');
  };
  process.on('SIGINT', interrupt);
  const deadline = Date.now() + o.timeoutMs;
  try {
    for (;;) {
      const ready = o.ready(pid);
      if (ready !== undefined) return { pid, ready };
      if (exited || !pidAlive(pid)) {
        if (existsSync(o.failureFile)) {
          const f = JSON.parse(readFileSync(o.failureFile, 'utf8')) as {
            code: string;
            message: string;
            hint: string;
            kind: 'usage' | 'runtime';
          };
          throw new HarnessError(f.code, f.message, f.hint, f.kind);
        }
        throw runtimeError(o.codes.failed, `the supervisor of ${o.what} exited before it was ready`, `see ${o.logFile}`);
      }
      if (Date.now() > deadline) {
        interrupt();
        throw runtimeError(
          o.codes.timeout,
          `${o.what} was not ready within ${o.timeoutMs / 1000}s; it is being stopped`,
          `see ${o.logFile}`,
        );
      }
      const step = lastLogLine(o.logFile);
      o.progress.update(`waiting for ${o.what} (supervisor pid ${pid}; log ${o.logFile})${step ? `: ${step}` : ''}`);
      await sleep(250);
    }
  } finally {
    process.off('SIGINT', interrupt);
    o.progress.done();
  }
}

/** The supervisor's side: its failure, for the parent waiting in startDetachedSupervisor to report as its own. */
export function writeSupervisorFailure(file: string, err: unknown, fallback: { code: string; hint: string }): void {
  const f =
    err instanceof HarnessError
      ? { code: err.code, message: err.message, hint: err.hint, kind: err.kind }
      : { code: fallback.code, message: String(err), hint: fallback.hint, kind: 'runtime' };
  writeFileSync(file, JSON.stringify(f));
}

/** The supervisor's latest progress line (without its elapsed-time prefix), so the waiting parent says what is going on. */
function lastLogLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    const line = buf.toString('utf8').trimEnd().split('\n').pop()?.trim();
    return line ? line.replace(/^\[\d+s\] /, '').slice(0, 200) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
