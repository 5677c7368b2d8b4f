import { readFileSync } from 'node:fs';

/**
 * Whether a process exists and is not a zombie. A killed orphan stays a zombie until PID 1 reaps it, and
 * `kill(pid, 0)` still succeeds on it, which would make a stopped process look alive.
 */
export function pidAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
