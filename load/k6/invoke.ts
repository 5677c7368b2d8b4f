/**
 * Service invocation at a constant arrival rate: the k6 edition of the harness's invoke scenario
 * (load/scenarios/invoke-scenario.ts). The same 1 KB POST goes straight to the app first (baseline), then through
 * Dapr (the caller's sidecar → the callee's sidecar → the app), so the difference is what the sidecars cost.
 *
 *   k6 run -e DAPR_HTTP=http://127.0.0.1:3500 -e APP_URL=http://127.0.0.1:8080 load/k6/invoke.ts
 *
 * Metric names are criteria.yaml's with every dot written as an underscore (load/k6/README.md lists them).
 */
import exec from 'k6/execution';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import { badSetting, baseUrl, durationMs, positiveInt, setting } from './settings.ts';

// ---- settings: every target and knob from __ENV, checked once at init --------------------------------------

/** The sidecar the through-Dapr requests enter (the harness uses task-service's). */
const DAPR_HTTP = baseUrl('DAPR_HTTP', 'http://127.0.0.1:3500');
/** The callee app itself, for the baseline. */
const APP_URL = baseUrl('APP_URL', 'http://127.0.0.1:8080');
const TARGET_APP = setting('TARGET_APP', 'sample-app');
const METHOD = setting('METHOD', 'echo/load').replace(/^\/+/, '');
/** Overrides for targets that reach Dapr another way, e.g. sample-app's /call/<app>/… relay in a cluster. */
const INVOKE_URL = baseUrl('INVOKE_URL', `${DAPR_HTTP}/v1.0/invoke/${TARGET_APP}/method/${METHOD}`);
const BASELINE_URL = baseUrl('BASELINE_URL', `${APP_URL}/${METHOD}`);
const BASELINE = setting('BASELINE', 'on');
if (BASELINE !== 'on' && BASELINE !== 'off') throw badSetting('BASELINE', BASELINE, 'on or off', 'off');

const RATE = positiveInt('RATE', 1000);
const DURATION_MS = durationMs('DURATION', '60s');
const WARMUP_MS = durationMs('WARMUP', '5s', true);
const PAYLOAD_BYTES = positiveInt('PAYLOAD_BYTES', 1024);
const PRE_ALLOCATED_VUS = positiveInt('PRE_ALLOCATED_VUS', 50);
const MAX_VUS = positiveInt('MAX_VUS', 500);
if (MAX_VUS < PRE_ALLOCATED_VUS)
  throw badSetting('MAX_VUS', String(MAX_VUS), `at least PRE_ALLOCATED_VUS (${PRE_ALLOCATED_VUS})`, String(PRE_ALLOCATED_VUS));
const TIMEOUT_MS = durationMs('TIMEOUT', '10s');
const DAPR_API_TOKEN = setting('DAPR_API_TOKEN', '');
/** For apps that answer only their own sidecar (APP_API_TOKEN set on them): the baseline must present it too. */
const APP_API_TOKEN = setting('APP_API_TOKEN', '');

// ---- metrics -----------------------------------------------------------------------------------------------

interface Series {
  tags: { path: string };
  success: Rate;
  latency: Trend;
  errors: Counter;
}

/** criteria.yaml `invoke.success_rate`; the through-Dapr path is the one the contract is about. */
const dapr: Series = {
  tags: { path: 'dapr' },
  success: new Rate('invoke_success_rate'),
  latency: new Trend('invoke_latency', true),
  errors: new Counter('invoke_errors_by_kind'),
};

const baselineSeries: Series = {
  tags: { path: 'direct' },
  success: new Rate('invoke_baseline_success_rate'),
  latency: new Trend('invoke_baseline_latency', true),
  errors: new Counter('invoke_baseline_errors_by_kind'),
};

// ---- scenarios ---------------------------------------------------------------------------------------------

const WARMUP_SUFFIX = '_warmup';

function arrivals(execName: string, startMs: number, lengthMs: number, phase: string): Scenario {
  return {
    executor: 'constant-arrival-rate',
    exec: execName,
    rate: RATE,
    timeUnit: '1s',
    duration: `${lengthMs}ms`,
    startTime: `${startMs}ms`,
    preAllocatedVUs: PRE_ALLOCATED_VUS,
    maxVUs: MAX_VUS,
    // A request still out when its phase ends has at most its own timeout left.
    gracefulStop: `${TIMEOUT_MS}ms`,
    tags: { phase },
  };
}

/** Warm-up then measured window for each path, one path after the other so they never share the machine. */
function plan(): Record<string, Scenario> {
  const paths: [string, string][] =
    BASELINE === 'on'
      ? [
          ['baseline', 'baseline'],
          ['dapr', 'throughDapr'],
        ]
      : [['dapr', 'throughDapr']];
  const scenarios: Record<string, Scenario> = {};
  let at = 0;
  for (const [name, fn] of paths) {
    if (WARMUP_MS > 0) {
      scenarios[`${name}${WARMUP_SUFFIX}`] = arrivals(fn, at, WARMUP_MS, 'warmup');
      at += WARMUP_MS;
    }
    scenarios[name] = arrivals(fn, at, DURATION_MS, 'measure');
    at += DURATION_MS + TIMEOUT_MS;
  }
  return scenarios;
}

export const options: Options = {
  scenarios: plan(),
  thresholds: {
    invoke_success_rate: ['rate>=0.999'],
  },
  discardResponseBodies: true,
  summaryTrendStats: ['min', 'avg', 'med', 'p(90)', 'p(99)', 'p(99.9)', 'max'],
};

// ---- requests ----------------------------------------------------------------------------------------------

/** `{"data":"xxx…"}` of exactly PAYLOAD_BYTES bytes (at least the 11 bytes of the envelope). */
const PAYLOAD = JSON.stringify({ data: 'x'.repeat(Math.max(0, PAYLOAD_BYTES - 11)) });
const JSON_BODY = { 'content-type': 'application/json' };
// Each token goes only where it belongs: the Dapr API token to the sidecar, the app API token to the app.
const APP_HEADERS: Record<string, string> = APP_API_TOKEN ? { ...JSON_BODY, 'dapr-api-token': APP_API_TOKEN } : JSON_BODY;
const DAPR_HEADERS: Record<string, string> = DAPR_API_TOKEN ? { ...JSON_BODY, 'dapr-api-token': DAPR_API_TOKEN } : JSON_BODY;

/** The harness driver's error kinds: `http_<status>` for an answer outside 2xx, else what broke the exchange. */
function errorKind(res: RefinedResponse<ResponseType | undefined>): string | undefined {
  if (res.status >= 200 && res.status < 300) return undefined;
  if (res.status !== 0) return `http_${res.status}`;
  if (res.error_code === 1050) return 'timeout';
  if (res.error_code >= 1100 && res.error_code < 1200) return 'dns';
  return `transport_${res.error_code}`;
}

function send(url: string, headers: Record<string, string>, series: Series): void {
  const res = http.post(url, PAYLOAD, { headers, timeout: TIMEOUT_MS, responseType: 'none', tags: { name: series.tags.path } });
  if (exec.scenario.name.endsWith(WARMUP_SUFFIX)) return;
  const kind = errorKind(res);
  series.success.add(kind === undefined, series.tags);
  // A failed exchange has no latency worth the name; an HTTP error is still an answer and counts.
  if (res.status !== 0) series.latency.add(res.timings.duration, series.tags);
  if (kind !== undefined) series.errors.add(1, { ...series.tags, kind });
}

export function baseline(): void {
  send(BASELINE_URL, APP_HEADERS, baselineSeries);
}

export function throughDapr(): void {
  send(INVOKE_URL, DAPR_HEADERS, dapr);
}
