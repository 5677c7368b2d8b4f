/**
 * Pushes a HorizontalPodAutoscaler: invocation traffic on a ramping arrival rate (STAGES), enough to drive the
 * reference deployment's sample-app from 1 towards its 50-replica maximum (k8s/autoscaling/sample-app.yaml).
 * With K8S_API set, a second scenario reads the Deployment the HPA scales every POLL and records its peak replica
 * count as `autoscale_max_replicas`, judged against criteria.yaml's `autoscale.max_replicas`; without it the
 * script only drives load, and that criterion, optional in criteria.yaml, stays unmeasured.
 *
 *   kubectl proxy --port 8001 &
 *   k6 run -e TARGET_URL=http://127.0.0.1:<sidecar port>/v1.0/invoke/sample-app/method/echo/load \
 *     -e K8S_API=http://127.0.0.1:8001 load/k6/autoscale.ts
 */
import { check, sleep } from 'k6';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import type { Options, Scenario, Stage } from 'k6/options';
import { DURATION, badSetting, baseUrl, durationMs, parseDurationMs, positiveInt, setting } from './settings.ts';

// ---- settings: every target and knob from __ENV, checked once at init --------------------------------------

const STAGES_EXAMPLE = '1m:100,2m:500,5m:1500,2m:0';

/** `duration:rate,…`: ramp linearly to each rate (requests per second) over each duration. */
function stages(name: string, fallback: string): Stage[] {
  const raw = setting(name, fallback);
  return raw.split(',').map((part) => {
    const [duration = '', target = ''] = part.split(':').map((s) => s.trim());
    if (!DURATION.test(duration) || parseDurationMs(duration) <= 0 || !/^\d+$/.test(target)) {
      throw badSetting(name, raw, `a list of duration:rate (bad stage "${part}")`, STAGES_EXAMPLE);
    }
    return { duration: `${parseDurationMs(duration)}ms`, target: Number(target) };
  });
}

/** The sidecar the traffic enters (the harness uses task-service's) and the app it invokes, the HPA's target. */
const DAPR_HTTP = baseUrl('DAPR_HTTP', 'http://127.0.0.1:3500');
const TARGET_APP = setting('TARGET_APP', 'sample-app');
const METHOD = setting('METHOD', 'echo/load').replace(/^\/+/, '');
/** In a cluster, sample-app's own relay reaches Dapr without exposing a sidecar: http://sample-app.<ns>/call/sample-app/echo/load. */
const TARGET_URL = baseUrl('TARGET_URL', `${DAPR_HTTP}/v1.0/invoke/${TARGET_APP}/method/${METHOD}`);
const STAGES = stages('STAGES', '2m:200,3m:1000,5m:2000,5m:2000,2m:0');
const START_RATE = positiveInt('START_RATE', 10);
const PAYLOAD_BYTES = positiveInt('PAYLOAD_BYTES', 1024);
const PRE_ALLOCATED_VUS = positiveInt('PRE_ALLOCATED_VUS', 100);
const MAX_VUS = positiveInt('MAX_VUS', 2000);
if (MAX_VUS < PRE_ALLOCATED_VUS)
  throw badSetting('MAX_VUS', String(MAX_VUS), `at least PRE_ALLOCATED_VUS (${PRE_ALLOCATED_VUS})`, String(PRE_ALLOCATED_VUS));
const TIMEOUT_MS = durationMs('TIMEOUT', '10s');
const DAPR_API_TOKEN = setting('DAPR_API_TOKEN', '');

/** Kubernetes API for the replica watcher: `kubectl proxy` locally, https://kubernetes.default.svc in a pod. */
const K8S_API = setting('K8S_API', '') === '' ? '' : baseUrl('K8S_API', '');
const K8S_NAMESPACE = setting('K8S_NAMESPACE', 'dapr-harness');
const K8S_DEPLOYMENT = setting('K8S_DEPLOYMENT', TARGET_APP);
const K8S_TOKEN_FILE = setting('K8S_TOKEN_FILE', '/var/run/secrets/kubernetes.io/serviceaccount/token');
/** k6 cannot be given the cluster's CA, so an https API server is only reachable with verification off. */
const K8S_INSECURE = setting('K8S_INSECURE_SKIP_TLS_VERIFY', 'false');
if (K8S_INSECURE !== 'true' && K8S_INSECURE !== 'false')
  throw badSetting('K8S_INSECURE_SKIP_TLS_VERIFY', K8S_INSECURE, 'true or false', 'true');
const POLL_MS = durationMs('POLL', '5s');

/** A bearer token for an https API server; read at init, the only place k6 can open files. */
function serviceAccountToken(): string {
  if (!K8S_API.startsWith('https://')) return '';
  try {
    return open(K8S_TOKEN_FILE).trim();
  } catch {
    throw new Error(
      `K6_K8S_TOKEN_MISSING: cannot read ${K8S_TOKEN_FILE} for ${K8S_API} · run in a pod with a service account allowed to get deployments (k8s/load/autoscale-watcher-rbac.yaml), set K8S_TOKEN_FILE, or use -e K8S_API=http://127.0.0.1:8001 with kubectl proxy`,
    );
  }
}

const K8S_TOKEN = K8S_API ? serviceAccountToken() : '';
const DEPLOYMENT_URL = `${K8S_API}/apis/apps/v1/namespaces/${encodeURIComponent(K8S_NAMESPACE)}/deployments/${encodeURIComponent(K8S_DEPLOYMENT)}`;

// ---- metrics, scenarios and thresholds ---------------------------------------------------------------------

const success = new Rate('autoscale_success_rate');
const latency = new Trend('autoscale_latency', true);
const errors = new Counter('autoscale_errors_by_kind');
/** criteria.yaml `autoscale.max_replicas`: the most pods the Deployment had at once. */
const maxReplicas = new Gauge('autoscale_max_replicas');
const replicas = new Trend('autoscale_replicas');
const readyReplicas = new Trend('autoscale_ready_replicas');

const LOAD_MS = STAGES.reduce((sum, s) => sum + parseDurationMs(s.duration), 0);

function plan(): Record<string, Scenario> {
  const scenarios: Record<string, Scenario> = {
    ramp: {
      executor: 'ramping-arrival-rate',
      exec: 'invoke',
      startRate: START_RATE,
      timeUnit: '1s',
      stages: STAGES,
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: MAX_VUS,
      gracefulStop: `${TIMEOUT_MS}ms`,
    },
  };
  if (K8S_API)
    scenarios.replicas = {
      executor: 'constant-vus',
      exec: 'watchReplicas',
      vus: 1,
      duration: `${LOAD_MS}ms`,
      gracefulStop: `${TIMEOUT_MS}ms`,
    };
  return scenarios;
}

export const options: Options = {
  scenarios: plan(),
  // Only a run that watches replicas measures them; an unmeasured Gauge would read 0 and fail.
  thresholds: K8S_API ? { autoscale_max_replicas: ['value>=50'] } : {},
  insecureSkipTLSVerify: K8S_INSECURE === 'true',
  discardResponseBodies: true,
  summaryTrendStats: ['min', 'avg', 'med', 'p(90)', 'p(99)', 'p(99.9)', 'max'],
};

// ---- load --------------------------------------------------------------------------------------------------

const PAYLOAD = JSON.stringify({ data: 'x'.repeat(Math.max(0, PAYLOAD_BYTES - 11)) });
const HEADERS: Record<string, string> = DAPR_API_TOKEN
  ? { 'content-type': 'application/json', 'dapr-api-token': DAPR_API_TOKEN }
  : { 'content-type': 'application/json' };

function errorKind(res: RefinedResponse<ResponseType | undefined>): string | undefined {
  if (res.status >= 200 && res.status < 300) return undefined;
  if (res.status !== 0) return `http_${res.status}`;
  if (res.error_code === 1050) return 'timeout';
  if (res.error_code >= 1100 && res.error_code < 1200) return 'dns';
  return `transport_${res.error_code}`;
}

export function invoke(): void {
  const res = http.post(TARGET_URL, PAYLOAD, { headers: HEADERS, timeout: TIMEOUT_MS, responseType: 'none', tags: { name: 'invoke' } });
  const kind = errorKind(res);
  success.add(kind === undefined);
  if (res.status !== 0) latency.add(res.timings.duration);
  if (kind !== undefined) errors.add(1, { kind });
}

// ---- replica watcher ---------------------------------------------------------------------------------------

/** Per VU; only the watcher's single VU uses it. */
let peak = 0;

export function watchReplicas(): void {
  const res = http.get(DEPLOYMENT_URL, {
    headers: K8S_TOKEN ? { authorization: `Bearer ${K8S_TOKEN}` } : {},
    timeout: TIMEOUT_MS,
    responseType: 'text',
    tags: { name: 'deployment' },
  });
  let status: { replicas?: unknown; readyReplicas?: unknown } | undefined;
  try {
    status = res.status === 200 && typeof res.body === 'string' ? (JSON.parse(res.body) as { status?: typeof status }).status : undefined;
  } catch {
    status = undefined;
  }
  const readable = check(res, { [`deployment ${K8S_NAMESPACE}/${K8S_DEPLOYMENT} readable`]: () => status !== undefined });
  if (!readable)
    console.warn(
      `autoscale: GET ${DEPLOYMENT_URL} answered ${res.status || res.error}; check K8S_API and that the service account may get deployments`,
    );
  if (status) {
    const now = typeof status.replicas === 'number' ? status.replicas : 0;
    const ready = typeof status.readyReplicas === 'number' ? status.readyReplicas : 0;
    peak = Math.max(peak, now);
    const tags = { namespace: K8S_NAMESPACE, deployment: K8S_DEPLOYMENT };
    maxReplicas.add(peak, tags);
    replicas.add(now, tags);
    readyReplicas.add(ready, tags);
  }
  sleep(POLL_MS / 1000);
}
