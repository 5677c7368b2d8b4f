import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../harness/paths';

const run = promisify(execFile);

/** What a load tool measured against the bench server: requests per second and its own p99 (ms). */
export interface ToolRun {
  tool: 'autocannon' | 'wrk';
  requestsPerSecond: number;
  p99Ms: number;
}

/** autocannon's `--json` summary: 2xx answers over the run's duration, and its latency p99. */
export function parseAutocannon(json: string): Omit<ToolRun, 'tool'> {
  const r = JSON.parse(json) as { duration: number; '2xx': number; latency: { p99: number } };
  return { requestsPerSecond: r['2xx'] / r.duration, p99Ms: r.latency.p99 };
}

function wrkMs(value: string, unit: string): number {
  return Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? Number.NaN);
}

/** wrk's text output with `--latency`: `Requests/sec:` and the 99 % line of the latency distribution. */
export function parseWrk(text: string): Omit<ToolRun, 'tool'> {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(text);
  if (!rate || !p99) throw new Error(`wrk printed no Requests/sec or 99% line:\n${text}`);
  return { requestsPerSecond: Number(rate[1]), p99Ms: wrkMs(p99[1] as string, p99[2] as string) };
}

/** autocannon (pinned in package.json) against `url`, closed loop: `connections` requests in flight. */
export async function autocannon(url: string, connections: number, seconds: number): Promise<ToolRun> {
  const bin = join(REPO_ROOT, 'node_modules', '.bin', 'autocannon');
  const { stdout } = await run(bin, ['--json', '-c', String(connections), '-d', String(seconds), url], { maxBuffer: 16 << 20 });
  return { tool: 'autocannon', ...parseAutocannon(stdout) };
}

/** wrk (Debian's `wrk`), one thread, `connections` connections. */
export async function wrk(url: string, connections: number, seconds: number): Promise<ToolRun> {
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { maxBuffer: 16 << 20 });
  return { tool: 'wrk', ...parseWrk(stdout) };
}
