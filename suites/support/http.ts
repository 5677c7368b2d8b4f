import { sleep } from '../../harness/process/wait/wait-strategy';
import { suiteContextOrUndefined } from '../../harness/suites/suite-context';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** One HTTP call with a deadline; the body is parsed as JSON when it is JSON. */
export async function http<T = unknown>(url: string, init: RequestInit & { json?: unknown; timeoutMs?: number } = {}): Promise<HttpResult<T>> {
  const { json, timeoutMs, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const token = sidecarToken(url);
  if (token && !headers.has('dapr-api-token')) headers.set('dapr-api-token', token);
  const res = await fetch(url, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body, signal: AbortSignal.timeout(timeoutMs ?? 15_000) });
  const text = await res.text();
  let body: unknown = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` with `what` and the
 * last value seen. Bounded in time and count.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let i = 0; i < Math.ceil(timeoutMs / intervalMs) + 1; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** The deployment's API token, for calls to one of its sidecars (never for calls to apps). */
function sidecarToken(url: string): string | undefined {
  const d = suiteContextOrUndefined()?.deployment;
  if (!d?.apiToken) return undefined;
  return d.apps.some((a) => url.startsWith(a.sidecar.httpUrl)) ? d.apiToken : undefined;
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
