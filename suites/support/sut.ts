import { deployment } from '../../harness/suite-runner/suite-context';
import type { AppEndpoint } from '../../harness/targets/deployment';
import { http, type HttpResult } from './http';
import type { LedgerEntry, LedgerView } from '../../system-under-test/lib/ledger/delivery-ledger';
import { LEDGER_AT_EXIT, type LedgerAtExit } from '../../system-under-test/lib/ledger/ledger-at-exit';
import { currentAuditLog } from '../../harness/audit/audit-log';

/** App ids of the reference deployment (system-under-test/API.md). */
export const APPS = {
  sample: 'sample-app',
  tasks: 'task-service',
  notification: 'notification-service',
  audit: 'audit-service',
  analytics: 'analytics-service',
  preferences: 'preferences-service',
} as const;

export const SUBSCRIBERS = {
  'task.created': [APPS.notification, APPS.audit, APPS.analytics],
  'task.updated': [APPS.notification, APPS.audit],
} as const;

export const STATE_STORE = 'statestore';
export const PUBSUB = 'pubsub';

/** Invokes `appId`'s `method` through the sidecar of `via` (service invocation by app id only). */
export function invoke<T = unknown>(
  via: string,
  appId: string,
  method: string,
  init: Parameters<typeof http>[1] = {},
): Promise<HttpResult<T>> {
  return http<T>(`${deployment().sidecar(via).httpUrl}/v1.0/invoke/${appId}/method/${method.replace(/^\//, '')}`, init);
}

export function sidecarUrl(appId: string): string {
  return deployment().sidecar(appId).httpUrl;
}

/** Every instance of an app the target can reach directly (fault controls, ledgers, per-instance checks). */
export function instancesOf(appId: string): AppEndpoint[] {
  return deployment().apps.filter((a) => a.appId === appId);
}

export function appUrlOf(appId: string, instance = 0): string | undefined {
  return instancesOf(appId).find((a) => a.instance === instance)?.appUrl;
}

/** A subscriber's ledger as its app answers GET /ledger (the wire format lives with the app). */
export type Ledger = Pick<LedgerView, 'total' | 'unique' | 'duplicates' | 'evicted' | 'entries'>;
export type { LedgerEntry };

/** A subscriber's ledger, summed over its instances. */
export async function ledgerOf(appId: string, query: { topic?: string; eventId?: string } = {}): Promise<Ledger> {
  const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined) as [string, string][]).toString();
  const sum: Ledger = { total: 0, unique: 0, duplicates: 0, evicted: 0, entries: [] };
  for (const inst of instancesOf(appId)) {
    if (!inst.appUrl) throw new Error(`the ledger of ${appId} needs its app URL, which this target does not expose`);
    const { status, body } = await http<Ledger>(`${inst.appUrl}/ledger${qs ? `?${qs}` : ''}`);
    if (status !== 200) throw new Error(`GET ${inst.appUrl}/ledger answered ${status}`);
    sum.total += body.total;
    sum.unique += body.unique;
    sum.duplicates += body.duplicates;
    sum.evicted += body.evicted;
    sum.entries.push(...body.entries);
  }
  return sum;
}

export async function resetLedgers(appIds: readonly string[]): Promise<void> {
  for (const appId of appIds)
    for (const inst of instancesOf(appId)) if (inst.appUrl) await http(`${inst.appUrl}/ledger`, { method: 'DELETE' });
}

export async function resetFaults(appIds: readonly string[]): Promise<void> {
  for (const appId of appIds) {
    for (const inst of instancesOf(appId)) {
      if (!inst.appUrl) continue;
      const res = await http(`${inst.appUrl}/faults`, { method: 'DELETE' });
      currentAuditLog()?.record('fault.reset', `${appId}#${inst.instance}`, res.status < 300 ? 'ok' : 'failed');
    }
  }
}

export interface CallLog {
  key: string;
  count: number;
  calls: { time: string; method: string; path: string; status: number; attempt: number }[];
}

/** The calls an app saw for one fault key, summed over its instances. */
export async function callLogOf(appId: string, key: string): Promise<CallLog> {
  const log: CallLog = { key, count: 0, calls: [] };
  for (const inst of instancesOf(appId)) {
    if (!inst.appUrl) throw new Error(`the call log of ${appId} needs its app URL, which this target does not expose`);
    const { body } = await http<CallLog>(`${inst.appUrl}/faults/calllog?key=${encodeURIComponent(key)}`);
    log.count += body.count;
    log.calls.push(...body.calls);
  }
  log.calls.sort((a, b) => a.time.localeCompare(b.time));
  return log;
}

export async function injectFailures(
  appId: string,
  fault: { key: string; count: number; status?: number; delayMs?: number },
  instance = 0,
): Promise<void> {
  const url = appUrlOf(appId, instance);
  if (!url) throw new Error(`fault injection on ${appId} needs its app URL, which this target does not expose`);
  const res = await http(`${url}/faults/calls`, { method: 'POST', json: fault });
  currentAuditLog()?.record('fault.inject', `${appId}#${instance}`, res.status < 300 ? 'ok' : 'failed', JSON.stringify(fault));
  if (res.status >= 300) throw new Error(`POST ${url}/faults/calls answered ${res.status}: ${res.text}`);
}

/** Creates a task through sample-app; task-service publishes task.created for it. Resolves with the event's id. */
export async function createTask(title: string): Promise<string> {
  const res = await invoke<{ eventId: string }>(APPS.sample, APPS.tasks, 'tasks', { method: 'POST', json: { title } });
  if (res.status !== 201) throw new Error(`POST /tasks through ${APPS.sample} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return res.body.eventId;
}

/** The ledger a subscriber wrote to its log as it exited (its last line of that kind), if the log holds one. */
export function ledgerAtExitIn(log: string): LedgerAtExit | undefined {
  let found: LedgerAtExit | undefined;
  for (const line of log.split('\n')) {
    if (!line.includes(LEDGER_AT_EXIT)) continue;
    try {
      const parsed = JSON.parse(line) as { msg?: string } & Partial<LedgerAtExit>;
      if (parsed.msg === LEDGER_AT_EXIT && Array.isArray(parsed.events))
        found = { total: parsed.total ?? 0, unique: parsed.unique ?? 0, duplicates: parsed.duplicates ?? 0, events: parsed.events };
    } catch {
      // Another line that mentions it, or one cut off: not the record.
    }
  }
  return found;
}
