/**
 * One JSON object per line on stdout. The harness keeps each app's stdout in the run's log folder, where a line is
 * greppable and parseable without knowing which service wrote it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const wanted = process.env.LOG_LEVEL as LogLevel | undefined;
  return RANK[wanted ?? 'info'] ?? RANK.info;
}

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  if (RANK[level] < threshold()) return;
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, app: process.env.APP_ID, msg, ...fields })}\n`);
}

/** The message of anything thrown, for a log field. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
