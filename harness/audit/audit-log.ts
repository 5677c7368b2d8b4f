import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname, userInfo } from 'node:os';
import { redact } from '../secrets/redaction';

/** One action the harness took against a deployment. */
export interface AuditEntry {
  time: string;
  actor: string;
  action: string;
  target: string;
  outcome: 'ok' | 'failed';
  detail?: string;
}

function defaultActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers)
  }
  return `dapr-harness/${user}@${hostname()}`;
}

/**
 * Every action against a deployment — starting or stopping a process or dependency, injecting a fault, killing a
 * process, changing a Kubernetes object — as a JSON line (redacted) in the run directory.
 */
export class AuditLog {
  readonly file: string;
  private readonly actor: string;

  constructor(file: string, actor = defaultActor()) {
    this.file = file;
    this.actor = actor;
    mkdirSync(dirname(file), { recursive: true });
  }

  record(action: string, target: string, outcome: AuditEntry['outcome'], detail?: string): void {
    const entry: AuditEntry = { time: new Date().toISOString(), actor: this.actor, action, target, outcome, ...(detail ? { detail } : {}) };
    appendFileSync(this.file, `${redact(JSON.stringify(entry))}\n`);
  }

  /** Runs `fn` and records the action with its outcome; rethrows what `fn` throws. */
  async around<T>(action: string, target: string, fn: () => Promise<T>, detail?: string): Promise<T> {
    try {
      const value = await fn();
      this.record(action, target, 'ok', detail);
      return value;
    } catch (err) {
      this.record(action, target, 'failed', `${detail ? `${detail}; ` : ''}${(err as Error).message?.split('\n')[0] ?? String(err)}`);
      throw err;
    }
  }
}

/** On globalThis, so suites loaded through require() share it with the harness (see suite-context.ts). */
const KEY = Symbol.for('dapr-harness.audit-log');
const holder = globalThis as Record<symbol, AuditLog | undefined>;

/** The audit log of the run in progress, for code that acts on a deployment without holding the session. */
export function setCurrentAuditLog(log: AuditLog | undefined): void {
  holder[KEY] = log;
}

export function currentAuditLog(): AuditLog | undefined {
  return holder[KEY];
}
