import { poll } from '../../harness/process/wait/poll';
import type { Deployment } from '../../harness/targets/deployment';
import { TEST_TOKENS } from '../support/shared-deployment';

/** Small HTTP helpers for the integration tests of the reference services. Every call is bounded in time. */
export interface JsonResult<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * These tests run against the shared deployment: a call to a sidecar's API carries its API token, a direct call to
 * an app the app token its sidecar would present (the app answers nothing else).
 */
export function sharedTokenFor(url: string): Record<string, string> {
  return { 'dapr-api-token': /\/v1\.0(-alpha1)?\//.test(new URL(url).pathname) ? TEST_TOKENS.DAPR_API_TOKEN : TEST_TOKENS.APP_API_TOKEN };
}

export async function json<T = unknown>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JsonResult<T>> {
  const headers: Record<string, string> = { ...sharedTokenFor(url), ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(init.timeoutMs ?? 20_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** The app URL of one instance of an app: the tests reach fault controls and ledgers there directly. */
export function appUrl(d: Deployment, appId: string, instance = 0): string {
  const app = d.apps.find((a) => a.appId === appId && a.instance === instance);
  if (!app?.appUrl) throw new Error(`no reachable instance ${instance} of ${appId} in this deployment`);
  return app.appUrl;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value, or fails naming what it waited for. */
/** The project's one polling loop, with the longer default these pub/sub tests need. */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return poll(what, probe, { timeoutMs: 15_000, ...opts });
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export const SUBSCRIBERS = ['notification-service', 'audit-service', 'analytics-service'] as const;
export const ALL_APPS = ['sample-app', 'task-service', ...SUBSCRIBERS, 'preferences-service'] as const;

/** Clears faults and call logs on every instance of every app. */
export async function clearFaults(d: Deployment): Promise<void> {
  for (const app of d.apps) if (app.appUrl) await json(`${app.appUrl}/faults`, { method: 'DELETE' });
}

export async function clearLedgers(d: Deployment): Promise<void> {
  for (const id of SUBSCRIBERS) await json(`${appUrl(d, id)}/ledger`, { method: 'DELETE' });
}

/** Removes tasks a test created, straight from the state store through task-service's own sidecar (same key prefix). */
export async function deleteTasks(d: Deployment, taskIds: string[]): Promise<void> {
  const sidecar = d.sidecar('task-service').httpUrl;
  for (const id of taskIds.splice(0)) await json(`${sidecar}/v1.0/state/statestore/task-${encodeURIComponent(id)}`, { method: 'DELETE' });
}
