/**
 * Pub/sub delivery at a constant publish rate: the k6 edition of the harness's pubsub scenario
 * (load/scenarios/pubsub-scenario.ts). VUs publish events with unique ids and publish timestamps through a
 * sidecar; teardown() waits for deliveries to settle, reads every subscriber's ledger (GET /ledger, see
 * system-under-test/API.md) and turns it into delivery rate, lost, duplicates, late and end-to-end latency per
 * subscriber, with criteria.yaml's thresholds on them.
 *
 *   k6 run -e DAPR_HTTP=http://127.0.0.1:<task-service sidecar port> \
 *     -e SUBSCRIBERS=notification-service=http://127.0.0.1:8082,audit-service=http://127.0.0.1:8083 load/k6/pubsub.ts
 *
 * What counts as published. VUs share no memory and teardown() sees none of theirs, so the publisher's record
 * travels in the event ids: `<run>.<vu>.<seq>`, where each VU numbers the events the broker acknowledged
 * 0, 1, 2, … without gaps (a refused publish is retried under the same number at the VU's next iteration). Any
 * event of VU v seen by any subscriber proves that v's events 0..seq were acknowledged, so a subscriber missing
 * one of them lost it, even an event every subscriber lost, as long as a later one of that VU arrived somewhere.
 * What this cannot see: the last events of a VU that no subscriber received at all. Run a single k6 instance
 * (k6-operator `parallelism: 1`): only the instance that runs teardown() gets these metrics.
 */
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import { URL_SHAPE, badSetting, baseUrl, durationMs, positiveInt, setting } from './settings.ts';

// ---- settings: every target and knob from __ENV, checked once at init --------------------------------------

interface Subscriber {
  appId: string;
  /** One app address per instance: each replica keeps a ledger of its own. */
  urls: string[];
}

const SUBSCRIBERS_EXAMPLE = 'notification-service=http://127.0.0.1:8082,audit-service=http://127.0.0.1:8083|http://127.0.0.1:9083';

/** `app-id=url[|url…],…`: every app that subscribes to the topic, at its own address (not its sidecar's). */
function subscribers(name: string, fallback: string): Subscriber[] {
  const raw = setting(name, fallback);
  const out: Subscriber[] = [];
  for (const part of raw.split(',')) {
    const at = part.indexOf('=');
    const appId = part.slice(0, at).trim();
    const urls = part
      .slice(at + 1)
      .split('|')
      .map((u) => u.trim().replace(/\/+$/, ''));
    if (at < 1 || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(appId) || urls.some((u) => !URL_SHAPE.test(u))) {
      throw badSetting(name, raw, `a list of app-id=url[|url…] (bad entry "${part}")`, SUBSCRIBERS_EXAMPLE);
    }
    if (out.some((s) => s.appId === appId))
      throw badSetting(name, raw, `a list naming each app once (${appId} twice)`, SUBSCRIBERS_EXAMPLE);
    out.push({ appId, urls });
  }
  return out;
}

/** The sidecar events are published through (the harness uses task-service's). */
const DAPR_HTTP = baseUrl('DAPR_HTTP', 'http://127.0.0.1:3500');
const PUBSUB = setting('PUBSUB', 'pubsub');
const TOPIC = setting('TOPIC', 'task.created');
/** The reference deployment's subscribers of task.created at the ports system-under-test/dapr.yaml gives them. */
const SUBSCRIBERS = subscribers(
  'SUBSCRIBERS',
  'notification-service=http://127.0.0.1:8082,audit-service=http://127.0.0.1:8083,analytics-service=http://127.0.0.1:8084',
);
const RATE = positiveInt('RATE', 1000);
const DURATION_MS = durationMs('DURATION', '60s');
/** How long teardown() waits for deliveries still on their way after the last publish. */
const DRAIN_MS = durationMs('DRAIN', '30s');
/** A delivery later than this after its publish counts as late. */
const LATE_AFTER_MS = durationMs('LATE_AFTER', '1s');
const PRE_ALLOCATED_VUS = positiveInt('PRE_ALLOCATED_VUS', 50);
const MAX_VUS = positiveInt('MAX_VUS', 500);
if (MAX_VUS < PRE_ALLOCATED_VUS)
  throw badSetting('MAX_VUS', String(MAX_VUS), `at least PRE_ALLOCATED_VUS (${PRE_ALLOCATED_VUS})`, String(PRE_ALLOCATED_VUS));
const TIMEOUT_MS = durationMs('TIMEOUT', '10s');
const DAPR_API_TOKEN = setting('DAPR_API_TOKEN', '');

const PUBLISH_URL = `${DAPR_HTTP}/v1.0/publish/${encodeURIComponent(PUBSUB)}/${encodeURIComponent(TOPIC)}`;
/** One ledger read can be large (up to 200,000 entries). */
const LEDGER_TIMEOUT_MS = 60_000;
const DRAIN_POLL_MS = 1000;

// ---- metrics and thresholds --------------------------------------------------------------------------------

const publishSuccess = new Rate('pubsub_publish_success_rate');
const publishLatency = new Trend('pubsub_publish_latency', true);
const publishErrors = new Counter('pubsub_publish_errors_by_kind');
/** criteria.yaml `pubsub.delivery_rate`: delivered ÷ acknowledged, per subscriber. */
const deliveryRate = new Rate('pubsub_delivery_rate');
/** criteria.yaml `pubsub.e2e_latency`: publish to first processed delivery, per subscriber. */
const e2eLatency = new Trend('pubsub_e2e_latency', true);
const deliveredCount = new Counter('pubsub_delivered');
const lostCount = new Counter('pubsub_lost');
const duplicateCount = new Counter('pubsub_duplicates');
const lateCount = new Counter('pubsub_late');

/** Every subscriber must pass on its own, as the gate judges each series of a criterion. */
function perSubscriberThresholds(): Record<string, string[]> {
  // Delivery is counted over acknowledged publishes, so the publishes themselves have a criterion of their own.
  const thresholds: Record<string, string[]> = { pubsub_publish_success_rate: ['rate>=0.999'] };
  for (const s of SUBSCRIBERS) {
    thresholds[`pubsub_delivery_rate{subscriber:${s.appId}}`] = ['rate>=0.999'];
    thresholds[`pubsub_e2e_latency{subscriber:${s.appId}}`] = ['p(99)<1000'];
  }
  return thresholds;
}

export const options: Options = {
  scenarios: {
    publish: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${DURATION_MS}ms`,
      preAllocatedVUs: PRE_ALLOCATED_VUS,
      maxVUs: MAX_VUS,
      gracefulStop: `${TIMEOUT_MS}ms`,
    },
  },
  thresholds: perSubscriberThresholds(),
  // The drain, then a last round of ledger reads that may start just before it ends: one read per instance.
  teardownTimeout: `${DRAIN_MS + 2 * LEDGER_TIMEOUT_MS * SUBSCRIBERS.reduce((n, s) => n + s.urls.length, 0)}ms`,
  discardResponseBodies: true,
  summaryTrendStats: ['min', 'avg', 'med', 'p(90)', 'p(99)', 'p(99.9)', 'max'],
};

// ---- publishing --------------------------------------------------------------------------------------------

export interface RunData {
  /** Prefix of every event id this run publishes; no dots, so `<run>.<vu>.<seq>` splits unambiguously. */
  runId: string;
}

function errorKind(res: RefinedResponse<ResponseType | undefined>): string | undefined {
  if (res.status >= 200 && res.status < 300) return undefined;
  if (res.status !== 0) return `http_${res.status}`;
  if (res.error_code === 1050) return 'timeout';
  if (res.error_code >= 1100 && res.error_code < 1200) return 'dns';
  return `transport_${res.error_code}`;
}

function ledgerUrl(base: string, limit?: number): string {
  return `${base}/ledger?topic=${encodeURIComponent(TOPIC)}${limit === undefined ? '' : `&limit=${limit}`}`;
}

/** Fails before any load when a ledger cannot be read: the run could not be judged afterwards. */
export function setup(): RunData {
  for (const s of SUBSCRIBERS) {
    for (const url of s.urls) {
      const res = http.get(ledgerUrl(url, 0), { timeout: TIMEOUT_MS, responseType: 'text' });
      if (res.status !== 200) {
        throw new Error(
          `K6_LEDGER_UNREACHABLE: ${s.appId}'s ledger at ${ledgerUrl(url, 0)} answered ${res.status || res.error || 'nothing'} · point SUBSCRIBERS at each subscriber app's own address, e.g. -e SUBSCRIBERS=${SUBSCRIBERS_EXAMPLE}`,
        );
      }
    }
  }
  return { runId: `k6-${Date.now().toString(36)}-${Math.floor(Math.random() * 2_176_782_336).toString(36)}` };
}

/** Per VU: how many of its events the broker has acknowledged, which is also the number of the next one. */
let acknowledged = 0;

export default function publish(data: RunData): void {
  const eventId = `${data.runId}.${exec.vu.idInTest}.${acknowledged}`;
  const publishedAt = Date.now();
  const res = http.post(PUBLISH_URL, JSON.stringify({ eventId, publishedAt, load: true }), {
    headers: DAPR_API_TOKEN
      ? { 'content-type': 'application/json', 'dapr-api-token': DAPR_API_TOKEN }
      : { 'content-type': 'application/json' },
    timeout: TIMEOUT_MS,
    responseType: 'none',
    tags: { name: 'publish' },
  });
  const kind = errorKind(res);
  publishSuccess.add(kind === undefined);
  if (res.status !== 0) publishLatency.add(res.timings.duration);
  if (kind === undefined) acknowledged += 1;
  else publishErrors.add(1, { kind });
}

// ---- reconciliation ----------------------------------------------------------------------------------------

/** The fields of a ledger entry this script reads (system-under-test/API.md, GET /ledger). */
export interface LedgerEntry {
  eventId: string;
  publishedAt: number | null;
  receivedAt: number;
}

export interface LedgerRead {
  subscriber: string;
  /** Entries of this run's events, from every instance that answered. */
  entries: LedgerEntry[];
  /** Instances whose ledger could not be read. */
  unreadable: string[];
  /** Entries the ledgers dropped to stay within their bound; this run's first events may be among them. */
  evicted: number;
}

export interface Reconciliation {
  subscriber: string;
  /** Events the broker acknowledged, as far as the ids seen anywhere prove. */
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicates: number;
  late: number;
  /** Publish to first processed delivery, one per delivered event with a publish time. */
  latenciesMs: number[];
}

/** `<run>.<vu>.<seq>` → [vu, seq]; anything else is not this run's. */
function parseEventId(runId: string, eventId: string): [string, number] | undefined {
  if (!eventId.startsWith(`${runId}.`)) return undefined;
  const parts = eventId.slice(runId.length + 1).split('.');
  if (parts.length !== 2 || !/^\d+$/.test(parts[0] ?? '') || !/^\d+$/.test(parts[1] ?? '')) return undefined;
  return [parts[0] as string, Number(parts[1])];
}

/**
 * Delivery per subscriber against what the union of all ledgers proves was acknowledged: for each VU, every
 * sequence number up to the highest one seen anywhere.
 */
export function reconcile(runId: string, reads: LedgerRead[], lateAfterMs: number): Reconciliation[] {
  const nextSeq = new Map<string, number>();
  for (const read of reads) {
    for (const e of read.entries) {
      const id = parseEventId(runId, e.eventId);
      if (id) nextSeq.set(id[0], Math.max(nextSeq.get(id[0]) ?? 0, id[1] + 1));
    }
  }
  let acknowledgedEvents = 0;
  for (const n of nextSeq.values()) acknowledgedEvents += n;

  return reads.map((read) => {
    const first = new Map<string, LedgerEntry>();
    let duplicates = 0;
    for (const e of read.entries) {
      if (!parseEventId(runId, e.eventId)) continue;
      const seen = first.get(e.eventId);
      if (seen === undefined) first.set(e.eventId, e);
      else {
        duplicates += 1;
        if (e.receivedAt < seen.receivedAt) first.set(e.eventId, e);
      }
    }
    const latenciesMs: number[] = [];
    let late = 0;
    for (const e of first.values()) {
      if (typeof e.publishedAt !== 'number') continue;
      const ms = Math.max(0, e.receivedAt - e.publishedAt);
      latenciesMs.push(ms);
      if (ms > lateAfterMs) late += 1;
    }
    return {
      subscriber: read.subscriber,
      acknowledged: acknowledgedEvents,
      delivered: first.size,
      lost: acknowledgedEvents - first.size,
      duplicates,
      late,
      latenciesMs,
    };
  });
}

function isEntry(v: unknown): v is LedgerEntry {
  const e = v as Partial<LedgerEntry> | null;
  return typeof e === 'object' && e !== null && typeof e.eventId === 'string' && typeof e.receivedAt === 'number';
}

/** This run's entries in one subscriber's ledgers, every instance included. */
function readLedgers(s: Subscriber, runId: string): LedgerRead {
  const read: LedgerRead = { subscriber: s.appId, entries: [], unreadable: [], evicted: 0 };
  for (const url of s.urls) {
    const res = http.get(ledgerUrl(url), { timeout: LEDGER_TIMEOUT_MS, responseType: 'text', tags: { name: 'ledger' } });
    let body: { entries?: unknown; evicted?: unknown } | undefined;
    try {
      body = res.status === 200 && typeof res.body === 'string' ? (JSON.parse(res.body) as typeof body) : undefined;
    } catch {
      body = undefined;
    }
    if (!body || !Array.isArray(body.entries)) {
      read.unreadable.push(url);
      continue;
    }
    if (typeof body.evicted === 'number') read.evicted += body.evicted;
    for (const e of body.entries) if (isEntry(e) && e.eventId.startsWith(`${runId}.`)) read.entries.push(e);
  }
  return read;
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Waits (at most DRAIN) until every subscriber has every event proven acknowledged, then records the result. */
export function teardown(data: RunData): void {
  const deadline = Date.now() + DRAIN_MS;
  const maxPolls = Math.ceil(DRAIN_MS / DRAIN_POLL_MS) + 1;
  let reads = SUBSCRIBERS.map((s) => readLedgers(s, data.runId));
  let results = reconcile(data.runId, reads, LATE_AFTER_MS);
  for (let poll = 1; poll < maxPolls && Date.now() < deadline && results.some((r) => r.lost > 0); poll++) {
    sleep(DRAIN_POLL_MS / 1000);
    reads = SUBSCRIBERS.map((s) => readLedgers(s, data.runId));
    results = reconcile(data.runId, reads, LATE_AFTER_MS);
  }

  for (const read of reads) {
    check(read, { [`ledger of ${read.subscriber} readable`]: (r) => r.unreadable.length === 0 });
    if (read.unreadable.length > 0)
      console.error(`pubsub: could not read ${read.subscriber}'s ledger at ${read.unreadable.join(', ')}; its events count as lost`);
    if (read.evicted > 0)
      console.warn(
        `pubsub: ${read.subscriber}'s ledger evicted ${read.evicted} entries; events of this run among them count as lost (lower RATE or DURATION)`,
      );
  }
  if (results.every((r) => r.acknowledged === 0))
    console.error(`pubsub: no event of run ${data.runId} reached any subscriber; the delivery thresholds fail for want of data`);

  for (const r of results) {
    const tags = { subscriber: r.subscriber };
    for (let i = 0; i < r.delivered; i++) deliveryRate.add(true, tags);
    for (let i = 0; i < r.lost; i++) deliveryRate.add(false, tags);
    for (const ms of r.latenciesMs) e2eLatency.add(ms, tags);
    deliveredCount.add(r.delivered, tags);
    lostCount.add(r.lost, tags);
    duplicateCount.add(r.duplicates, tags);
    lateCount.add(r.late, tags);
    const sorted = [...r.latenciesMs].sort((a, b) => a - b);
    const share = r.acknowledged === 0 ? '-' : ((r.delivered / r.acknowledged) * 100).toFixed(3);
    console.log(
      `pubsub ${r.subscriber}: delivered ${r.delivered}/${r.acknowledged} (${share} %) · lost ${r.lost} · duplicates ${r.duplicates} · late ${r.late} · e2e p50 ${percentile(sorted, 50) ?? '-'} ms p99 ${percentile(sorted, 99) ?? '-'} ms`,
    );
  }
}
