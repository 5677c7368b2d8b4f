/**
 * State API under a save/get/delete mix (40/40/20 % of the total rate), each operation its own constant-arrival-rate
 * scenario, all three at once: the k6 edition of the harness's state scenario (load/scenarios/state-scenario.ts).
 * Success rate and latency are recorded per operation, and each operation must meet criteria.yaml's
 * `state.success_rate` on its own.
 *
 *   k6 run -e DAPR_HTTP=http://127.0.0.1:<preferences-service sidecar port> load/k6/state.ts
 *
 * Keys are `<run>-<n>` for n below KEYS, so concurrent saves, reads and deletes meet on the same keys; teardown()
 * deletes them all.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { ArrayBatchRequest, RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import { badSetting, baseUrl, durationMs, positiveInt, setting } from './settings.ts';

// ---- settings: every target and knob from __ENV, checked once at init --------------------------------------

/** The sidecar of an app the state store is scoped to (the harness uses preferences-service's). */
const DAPR_HTTP = baseUrl('DAPR_HTTP', 'http://127.0.0.1:3500');
const STORE = setting('STORE', 'statestore');
/** Total operations per second, split by MIX. */
const RATE = positiveInt('RATE', 1000);
const DURATION_MS = durationMs('DURATION', '60s');
const WARMUP_MS = durationMs('WARMUP', '5s', true);
const KEYS = positiveInt('KEYS', 1000);
const PAYLOAD_BYTES = positiveInt('PAYLOAD_BYTES', 1024);
/** VUs per operation. */
const PRE_ALLOCATED_VUS = positiveInt('PRE_ALLOCATED_VUS', 20);
const MAX_VUS = positiveInt('MAX_VUS', 200);
if (MAX_VUS < PRE_ALLOCATED_VUS)
  throw badSetting('MAX_VUS', String(MAX_VUS), `at least PRE_ALLOCATED_VUS (${PRE_ALLOCATED_VUS})`, String(PRE_ALLOCATED_VUS));
const TIMEOUT_MS = durationMs('TIMEOUT', '10s');
const DAPR_API_TOKEN = setting('DAPR_API_TOKEN', '');

const STATE_URL = `${DAPR_HTTP}/v1.0/state/${encodeURIComponent(STORE)}`;
const OPERATIONS = ['save', 'get', 'delete'] as const;
type Operation = (typeof OPERATIONS)[number];
/** Share of RATE per operation, as in the harness's scenario. */
const MIX: Record<Operation, number> = { save: 0.4, get: 0.4, delete: 0.2 };
const WARMUP_SUFFIX = '_warmup';
const CLEANUP_BATCH = 50;

// ---- metrics and thresholds --------------------------------------------------------------------------------

/** criteria.yaml `state.success_rate`, one series per operation. */
const success = new Rate('state_success_rate');
const latency = new Trend('state_latency', true);
const errors = new Counter('state_errors_by_kind');

function perOperationThresholds(): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {};
  for (const op of OPERATIONS) thresholds[`state_success_rate{operation:${op}}`] = ['rate>=0.995'];
  return thresholds;
}

function arrivals(op: Operation, startMs: number, lengthMs: number, phase: string): Scenario {
  return {
    executor: 'constant-arrival-rate',
    exec: op === 'delete' ? 'remove' : op,
    rate: Math.max(1, Math.round(RATE * MIX[op])),
    timeUnit: '1s',
    duration: `${lengthMs}ms`,
    startTime: `${startMs}ms`,
    preAllocatedVUs: PRE_ALLOCATED_VUS,
    maxVUs: MAX_VUS,
    gracefulStop: `${TIMEOUT_MS}ms`,
    tags: { phase, operation: op },
  };
}

function plan(): Record<string, Scenario> {
  const scenarios: Record<string, Scenario> = {};
  for (const op of OPERATIONS) {
    if (WARMUP_MS > 0) scenarios[`${op}${WARMUP_SUFFIX}`] = arrivals(op, 0, WARMUP_MS, 'warmup');
    scenarios[op] = arrivals(op, WARMUP_MS, DURATION_MS, 'measure');
  }
  return scenarios;
}

export const options: Options = {
  scenarios: plan(),
  thresholds: perOperationThresholds(),
  discardResponseBodies: true,
  summaryTrendStats: ['min', 'avg', 'med', 'p(90)', 'p(99)', 'p(99.9)', 'max'],
};

// ---- operations --------------------------------------------------------------------------------------------

export interface RunData {
  runId: string;
}

export function setup(): RunData {
  return { runId: `k6-${Date.now().toString(36)}-${Math.floor(Math.random() * 2_176_782_336).toString(36)}` };
}

const AUTH: Record<string, string> = DAPR_API_TOKEN ? { 'dapr-api-token': DAPR_API_TOKEN } : {};
const JSON_AUTH: Record<string, string> = { 'content-type': 'application/json', ...AUTH };
const VALUE = 'v'.repeat(Math.max(1, PAYLOAD_BYTES - 32));

function errorKind(res: RefinedResponse<ResponseType | undefined>): string | undefined {
  // A missing key is an answer, not an error: Dapr says 204 to a get or delete of a key nobody saved.
  if (res.status >= 200 && res.status < 300) return undefined;
  if (res.status !== 0) return `http_${res.status}`;
  if (res.error_code === 1050) return 'timeout';
  if (res.error_code >= 1100 && res.error_code < 1200) return 'dns';
  return `transport_${res.error_code}`;
}

function keyOf(data: RunData): string {
  return `${data.runId}-${exec.scenario.iterationInTest % KEYS}`;
}

function record(op: Operation, res: RefinedResponse<ResponseType | undefined>): void {
  if (exec.scenario.name.endsWith(WARMUP_SUFFIX)) return;
  const tags = { operation: op };
  const kind = errorKind(res);
  success.add(kind === undefined, tags);
  if (res.status !== 0) latency.add(res.timings.duration, tags);
  if (kind !== undefined) errors.add(1, { ...tags, kind });
}

export function save(data: RunData): void {
  const body = JSON.stringify([{ key: keyOf(data), value: VALUE }]);
  record('save', http.post(STATE_URL, body, { headers: JSON_AUTH, timeout: TIMEOUT_MS, responseType: 'none', tags: { name: 'save' } }));
}

export function get(data: RunData): void {
  record(
    'get',
    http.get(`${STATE_URL}/${encodeURIComponent(keyOf(data))}`, {
      headers: AUTH,
      timeout: TIMEOUT_MS,
      responseType: 'none',
      tags: { name: 'get' },
    }),
  );
}

export function remove(data: RunData): void {
  record(
    'delete',
    http.del(`${STATE_URL}/${encodeURIComponent(keyOf(data))}`, null, {
      headers: AUTH,
      timeout: TIMEOUT_MS,
      responseType: 'none',
      tags: { name: 'delete' },
    }),
  );
}

/** Deletes every key the run may have written, so repeated runs do not fill the store. */
export function teardown(data: RunData): void {
  let failed = 0;
  for (let from = 0; from < KEYS; from += CLEANUP_BATCH) {
    const batch: ArrayBatchRequest[] = [];
    for (let n = from; n < Math.min(KEYS, from + CLEANUP_BATCH); n++) {
      batch.push([
        'DELETE',
        `${STATE_URL}/${encodeURIComponent(`${data.runId}-${n}`)}`,
        null,
        { headers: AUTH, timeout: TIMEOUT_MS, responseType: 'none', tags: { name: 'cleanup' } },
      ]);
    }
    for (const res of http.batch(batch)) if (errorKind(res) !== undefined) failed += 1;
  }
  check(failed, { 'every key of the run deleted': (n) => n === 0 });
  if (failed > 0) console.warn(`state: ${failed} of ${KEYS} keys of run ${data.runId} could not be deleted from ${STORE}`);
}
