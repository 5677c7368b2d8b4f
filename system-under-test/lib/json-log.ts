/**
 * One JSON object per line on stdout. The harness keeps each app's stdout in the run's log folder, where a line is
 * greppable and parseable without knowing which service wrote it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** LOG_LEVEL picks the least severe level written; `silent` writes nothing (unit tests). */
const RANK: Record<string, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

function threshold(): number {
  return RANK[process.env.LOG_LEVEL ?? 'info'] ?? 20;
}

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  if ((RANK[level] ?? 20) < threshold()) return;
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, app: process.env.APP_ID, msg, ...fields })}\n`);
}

/** The message of anything thrown, for a log field. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
