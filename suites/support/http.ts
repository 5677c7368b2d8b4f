import { suiteContextOrUndefined } from '../../harness/suite-runner/suite-context';
import { describeDeath, type AppEndpoint, type Deployment } from '../../harness/targets/deployment';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * One HTTP call with a deadline; the body is parsed as JSON when it is JSON. Calls to a sidecar carry the
 * deployment's API token, direct calls to an app its app API token (as its sidecar would), unless the caller
 * sets `dapr-api-token` itself. A call that gets no answer names the URL, and any process of the deployment
 * that has died.
 */
export async function http<T = unknown>(
  url: string,
  init: RequestInit & { json?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult<T>> {
  const { json, timeoutMs, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const token = tokenFor(url);
  if (token && !headers.has('dapr-api-token')) headers.set('dapr-api-token', token);
  let res: Response;
  try {
    res = await fetch(url, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
      signal: AbortSignal.timeout(timeoutMs ?? 15_000),
    });
  } catch (err) {
    const d = suiteContextOrUndefined()?.deployment;
    await deathOfCalledApp(url, err, d);
    throw noAnswer(`${rest.method ?? 'GET'} ${url}`, err, d);
  }
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
/** The deployment's API token for one of its sidecars, its app API token for one of its apps, else none. */
function tokenFor(url: string): string | undefined {
  const d = suiteContextOrUndefined()?.deployment;
  if (!d) return undefined;
  if (d.apps.some((a) => startsWithOrigin(url, a.sidecar.httpUrl))) return d.apiToken;
  if (d.apps.some((a) => a.appUrl && startsWithOrigin(url, a.appUrl))) return d.appApiToken;
  return undefined;
}

/** `http://127.0.0.1:3500` must not match `http://127.0.0.1:35001/...`. */
function startsWithOrigin(url: string, base: string): boolean {
  return url === base || url.startsWith(base.endsWith('/') ? base : `${base}/`);
}

/**
 * The error for a call that got no answer: what was called and why, and the processes of the deployment that died
 * (those of the app called first), so a dead subscriber reads as such instead of "fetch failed".
 */
/** How long a refused connection waits for the target to report that the app it called has died. */
const DEATH_REPORT_WAIT_MS = 1000;

/**
 * A connection refused by an app that was just killed can come before the target has seen the process exit: wait
 * briefly for that death, so the error names it instead of reading as a bare "fetch failed".
 */
async function deathOfCalledApp(url: string, err: unknown, d: Deployment | undefined): Promise<void> {
  const watch = d?.processDeaths;
  if (!watch || (err as { name?: string }).name === 'TimeoutError') return;
  const called = calledApp(url, d);
  if (!called || watch.deaths().some((x) => x.appId === called.appId)) return;
  // An app a probe stopped on purpose refuses connections without dying.
  if (d.processControls?.some((c) => (c.name === called.appId || c.name.startsWith(`${called.appId}-`)) && c.running === false)) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, DEATH_REPORT_WAIT_MS);
    const unsubscribe = watch.onDeath((x) => {
      if (x.appId === called.appId) done();
    });
    function done(): void {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

/** The app instance a URL reaches, through its sidecar or directly. */
function calledApp(url: string, d: Deployment): AppEndpoint | undefined {
  return d.apps.find((a) => startsWithOrigin(url, a.sidecar.httpUrl) || (a.appUrl !== undefined && startsWithOrigin(url, a.appUrl)));
}

export function noAnswer(call: string, err: unknown, d: Deployment | undefined): Error {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const why =
    e?.name === 'TimeoutError' ? 'no answer before the deadline' : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
  const deaths = d?.processDeaths?.deaths() ?? [];
  const url = call.slice(call.indexOf(' ') + 1);
  const called = d && calledApp(url, d);
  const ordered = [...deaths.filter((x) => x.appId === called?.appId), ...deaths.filter((x) => x.appId !== called?.appId)];
  const died = ordered.length > 0 ? ` — ${ordered.map(describeDeath).join('; ')}` : '';
  return new Error(`${call}: ${why}${died}`, { cause: err });
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
