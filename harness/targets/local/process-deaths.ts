import type { AuditLog } from '../../audit/audit-log';
import type { ManagedProcess, ProcessExit } from '../../process/managed-process';
import type { ProcessDeath, ProcessDeathWatch } from '../deployment';

/**
 * The exit code the reference apps use when /faults/crash asks them to crash (system-under-test/API.md): an
 * injected fault, recorded in the audit log, never a death.
 */
export const CRASH_ON_REQUEST_EXIT_CODE = 86;

/**
 * Watches the processes of a local deployment and keeps every exit the harness did not ask for. A stop through
 * the lifecycle stack or a chaos control is asked for; so is a crash an app was told to do. Exits during start
 * are left to start(), which reports them itself, and nothing counts once the deployment is being stopped.
 */
export class LocalDeathWatch implements ProcessDeathWatch {
  private readonly seen: ProcessDeath[] = [];
  private readonly listeners = new Set<(death: ProcessDeath) => void>();
  private closed = false;

  constructor(private readonly audit?: AuditLog) {}

  watch(proc: ManagedProcess, kind: ProcessDeath['kind'], appId?: string): void {
    proc.onExit((exit) => this.exited(proc.name, kind, appId, proc.logFile, exit));
  }

  /** From now on exits are part of stopping the deployment. */
  close(): void {
    this.closed = true;
  }

  deaths(): ProcessDeath[] {
    return [...this.seen];
  }

  onDeath(listener: (death: ProcessDeath) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private exited(name: string, kind: ProcessDeath['kind'], appId: string | undefined, logFile: string, exit: ProcessExit): void {
    if (this.closed || exit.requested || exit.duringStart) return;
    const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code ?? '?'}`;
    if (kind === 'app' && exit.code === CRASH_ON_REQUEST_EXIT_CODE) {
      this.audit?.record('app.crashed-on-request', name, 'ok', `exit ${how}`);
      return;
    }
    const death: ProcessDeath = {
      name,
      kind,
      ...(appId ? { appId } : {}),
      at: exit.at.toISOString(),
      code: exit.code,
      signal: exit.signal,
      logFile,
    };
    this.seen.push(death);
    this.audit?.record('process.died', name, 'failed', `exit ${how}`);
    for (const listener of this.listeners) {
      try {
        listener(death);
      } catch {
        // one listener's failure must not hide the death from the others
      }
    }
  }
}
