import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { runtimeError } from '../errors/harness-error';
import type { WaitStrategy } from './wait/wait-strategy';

export interface ProcessSpec {
  /** Short unique name; also the log file's base name. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  logFile: string;
  wait: WaitStrategy;
  startTimeoutMs?: number;
  /** Time between the stop signal and SIGKILL on stop. */
  stopGraceMs?: number;
  /** The signal stop() sends first (default SIGTERM); e.g. SIGINT for postgres's fast shutdown. */
  stopSignal?: NodeJS.Signals;
  /** Run as this user and group (a server that refuses to run as root); default: the harness's own. */
  user?: { uid: number; gid: number };
  /** Turns the log of a process that died during start into a sentence; default: its last lines. */
  explainExit?: (logFile: string) => string | undefined;
}

/** How a process ended, as its exit listeners see it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When the exit was seen. */
  at: Date;
  /** True when stop() asked for it; false when the process ended on its own or something else killed it. */
  requested: boolean;
  /** True when it ended before its wait strategy said ready (start() reports that itself). */
  duringStart: boolean;
}

export interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_STOP_GRACE_MS = 10_000;

/**
 * One OS process with a readiness wait and a stop that always ends it.
 * The process gets its own process group so that stop() also ends whatever it spawned
 * (an app started through a launcher, say), and so a Ctrl-C in the terminal reaches only the harness,
 * which then stops everything in order.
 */
export class ManagedProcess implements Stoppable {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopRequested = false;
  private ready = false;
  private readonly exitListeners = new Set<(exit: ProcessExit) => void>();
  private readonly spec: ProcessSpec;

  constructor(spec: ProcessSpec) {
    this.spec = spec;
    this.name = spec.name;
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /**
   * Calls `listener` every time the process exits (each start is a new life), saying whether stop() asked for
   * it. Returns the unsubscribe.
   */
  onExit(listener: (exit: ProcessExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Starts the process and resolves once its wait strategy says it is ready. */
  async start(cancel?: AbortSignal): Promise<void> {
    const { spec } = this;
    if (this.running) throw new Error(`${spec.name} is already running`);
    this.exitInfo = undefined;
    this.stopRequested = false;
    this.ready = false;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a');
    try {
      this.child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', fd, fd],
        detached: true,
        ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
      });
    } finally {
      closeSync(fd);
    }
    const child = this.child;
    const exitController = new AbortController();
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        exitController.abort(new Error('exited'));
        this.notifyExit(code, signal);
        resolve();
      });
      child.once('error', (err) => {
        this.exitInfo = { code: null, signal: null };
        exitController.abort(err);
        this.notifyExit(null, null);
        resolve();
      });
    });

    const timeoutMs = spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [exitController.signal, timeout, ...(cancel ? [cancel] : [])];
    try {
      await spec.wait.waitUntilReady({ name: spec.name, logFile: spec.logFile, signal: AbortSignal.any(signals) });
      this.ready = true;
    } catch (err) {
      if (cancel?.aborted) throw cancel.reason;
      if (exitController.signal.aborted) {
        const info = this.lastExit();
        const how = info?.signal ? `signal ${info.signal}` : `code ${info?.code ?? '?'}`;
        throw runtimeError(
          'PROCESS_EXITED',
          `${spec.name} exited (${how}) before it was ready: ${spec.explainExit?.(spec.logFile) ?? `last log lines: ${lastLines(spec.logFile, 3)}`}`,
          `see ${spec.logFile}`,
          err,
        );
      }
      if (timeout.aborted) {
        throw runtimeError(
          'START_TIMEOUT',
          `${spec.name} was not ready within ${timeoutMs} ms (waited for ${spec.wait.describe()})`,
          `see ${spec.logFile}`,
          err,
        );
      }
      throw err;
    }
  }

  lastExit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  private notifyExit(code: number | null, signal: NodeJS.Signals | null): void {
    const exit: ProcessExit = { code, signal, at: new Date(), requested: this.stopRequested, duringStart: !this.ready };
    for (const listener of this.exitListeners) {
      try {
        listener(exit);
      } catch {
        // a listener's failure must not keep the others from hearing of the exit
      }
    }
  }

  /** Ends the process group: its stop signal (SIGTERM), then SIGKILL after the grace period. Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || this.exitInfo) return;
    this.stopRequested = true;
    signalGroup(child.pid, this.spec.stopSignal ?? 'SIGTERM');
    const grace = this.spec.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), grace);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      signalGroup(child.pid, 'SIGKILL');
      await this.exited;
    }
    // The leader may exit before the rest of its group; make sure no member outlives it.
    signalGroup(child.pid, 'SIGKILL');
  }
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function lastLines(file: string, count: number): string {
  if (!existsSync(file)) return '(no log)';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').filter(Boolean);
  return lines.slice(-count).join(' | ').slice(0, 600) || '(empty log)';
}
