import { existsSync, readFileSync } from 'node:fs';
import type { DaprResource } from './dapr-resources';

interface LogLine {
  level?: string;
  msg?: string;
}

/**
 * Reads daprd's JSON log after it died during start and names the cause: the last fatal (or error) message,
 * and, where it names a component, the file that component came from.
 */
export function explainDaprdExit(logFile: string, resources: DaprResource[]): string | undefined {
  if (!existsSync(logFile)) return undefined;
  const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  const parsed: LogLine[] = [];
  for (const line of lines) {
    try {
      parsed.push(JSON.parse(line) as LogLine);
    } catch {
      parsed.push({ level: 'error', msg: line });
    }
  }
  const cause = [...parsed].reverse().find((l) => l.level === 'fatal') ?? [...parsed].reverse().find((l) => l.level === 'error');
  if (!cause?.msg) return undefined;
  const msg = cause.msg.replace(/^Fatal error from runtime: /, '');
  const named = resources.find((r) => new RegExp(`\\b(component|for) ${escapeRegExp(r.name)}\\b`).test(msg));
  return named ? `${msg} — component ${named.name} is defined in ${named.file}` : msg;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
