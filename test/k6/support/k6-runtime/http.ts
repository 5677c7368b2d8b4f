import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * k6/http for scripts run under the test runtime: real, synchronous HTTP like k6's, done by curl (Node has no
 * synchronous client). Loopback only. Transport failures come back as k6 reports them, status 0 with an
 * error_code: 1050 for a timeout, 1101 for a name that does not resolve, 1200 for any other failure to connect.
 */
export interface Params {
  headers?: Record<string, string>;
  timeout?: string | number;
  responseType?: 'text' | 'binary' | 'none';
  tags?: Record<string, string>;
}

export interface Response {
  url: string;
  status: number;
  body: string | null;
  error: string;
  error_code: number;
  timings: { duration: number };
  json(): unknown;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const DEFAULT_TIMEOUT_MS = 60_000;
const CURL_EXIT_TO_K6: Record<number, number> = { 6: 1101, 28: 1050 };

/** Every call made, oldest first, for tests that check what a script sent. */
export const sent: { method: string; url: string; headers: Record<string, string>; body: string | null }[] = [];

function timeoutMs(t: string | number | undefined): number {
  if (t === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof t === 'number') return t;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(t);
  if (!m) throw new Error(`test runtime: unsupported timeout "${t}"`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[m[2] as string]!;
}

export function request(method: string, url: string, body?: string | null, params: Params = {}): Response {
  const host = new URL(url).hostname;
  if (!LOOPBACK.has(host) && !host.startsWith('127.'))
    throw new Error(`test runtime: refusing ${url}; tests send traffic to loopback only`);
  const headers = params.headers ?? {};
  sent.push({ method, url, headers: { ...headers }, body: body ?? null });
  const dir = mkdtempSync(join(tmpdir(), 'k6-runtime-'));
  const out = join(dir, 'body');
  const limitMs = timeoutMs(params.timeout);
  const args = ['-sS', '-X', method, '--max-time', String(limitMs / 1000), '-o', out, '-w', '%{http_code}'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (body !== undefined && body !== null) args.push('--data-binary', '@-');
  args.push(url);
  const started = performance.now();
  try {
    const run = spawnSync('curl', args, { input: body ?? '', encoding: 'utf8', timeout: limitMs + 5_000 });
    const duration = performance.now() - started;
    if (run.error) throw new Error(`test runtime: cannot run curl (${run.error.message}); install curl`);
    if (run.status !== 0) {
      return {
        url,
        status: 0,
        body: null,
        error: run.stderr.trim(),
        error_code: CURL_EXIT_TO_K6[run.status ?? -1] ?? 1200,
        timings: { duration },
        json: () => null,
      };
    }
    const text = readFileSync(out, 'utf8');
    const responseBody = params.responseType === 'none' ? null : text;
    return {
      url,
      status: Number(run.stdout),
      body: responseBody,
      error: '',
      error_code: 0,
      timings: { duration },
      json: () => JSON.parse(text) as unknown,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const get = (url: string, params?: Params): Response => request('GET', url, null, params);
export const post = (url: string, body?: string | null, params?: Params): Response => request('POST', url, body, params);
export const put = (url: string, body?: string | null, params?: Params): Response => request('PUT', url, body, params);
export const del = (url: string, body?: string | null, params?: Params): Response => request('DELETE', url, body, params);

/** Sequential here; k6 sends a batch in parallel, which changes timing, not results. */
export function batch(requests: [string, string, (string | null)?, (Params | null)?][]): Response[] {
  return requests.map(([method, url, body, params]) => request(method, url, body ?? null, params ?? {}));
}

export default { request, get, post, put, del, batch };
