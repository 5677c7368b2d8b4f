import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricSample, RunResults, ScenarioResult } from '../../harness/results/results-model';
import { emptyResults, writeResults } from '../../harness/results/results-store';

/** A scratch reports/runs directory; remove it in after(). */
export function tempRunsRoot(): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'dapr-harness-report-'));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export function writeRun(root: string, results: RunResults): string {
  const dir = join(root, results.runId);
  writeResults(dir, results);
  return dir;
}

export const MALICIOUS_TITLE = '<script>alert("pwned")</script> delivers & acks';

function timeline(seconds: number, rps: number, errorsAt: number[] = []): ScenarioResult['timeline'] {
  return Array.from({ length: seconds }, (_, t) => ({
    t,
    requests: rps + (t % 3),
    errors: errorsAt.includes(t) ? 2 : 0,
    p50: 10 + (t % 5),
    p99: 80 + t,
  }));
}

/** Everything a report can show: three stories, a failing test, chaos, two scenarios, autoscale, resources. */
export function richResults(
  overrides: Partial<RunResults> & { runId?: string } = {},
  knobs: { e2eP99?: number; deliveryRate?: number } = {},
): RunResults {
  const e2eP99 = knobs.e2eP99 ?? 420;
  const deliveryRate = knobs.deliveryRate ?? 1;
  const metrics: MetricSample[] = [
    { name: 'pubsub.delivered', kind: 'counter', tags: { subscriber: 'orders' }, count: 20000 },
    { name: 'pubsub.lost', kind: 'counter', tags: { subscriber: 'orders' }, count: 0 },
    { name: 'pubsub.duplicates', kind: 'counter', tags: { subscriber: 'orders' }, count: 3 },
    { name: 'pubsub.late', kind: 'counter', tags: { subscriber: 'orders' }, count: 1 },
    { name: 'pubsub.delivery_rate', kind: 'rate', tags: { subscriber: 'orders' }, rate: deliveryRate, passes: 20000, fails: 0 },
    { name: 'pubsub.delivered', kind: 'counter', tags: { subscriber: 'audit' }, count: 19990 },
    { name: 'pubsub.lost', kind: 'counter', tags: { subscriber: 'audit' }, count: 10 },
    { name: 'pubsub.duplicates', kind: 'counter', tags: { subscriber: 'audit' }, count: 0 },
    { name: 'pubsub.late', kind: 'counter', tags: { subscriber: 'audit' }, count: 0 },
    { name: 'pubsub.delivery_rate', kind: 'rate', tags: { subscriber: 'audit' }, rate: 0.9995, passes: 19990, fails: 10 },
    { name: 'pubsub.delivered', kind: 'counter', tags: { subscriber: 'billing' }, count: 500 },
    { name: 'pubsub.lost', kind: 'counter', tags: { subscriber: 'billing' }, count: 0 },
    { name: 'pubsub.delivery_rate', kind: 'rate', tags: { subscriber: 'billing' }, rate: 1, passes: 500, fails: 0 },
    { name: 'pubsub.e2e_latency_uncorrected', kind: 'trend', tags: { subscriber: 'orders' }, unit: 'ms', stats: { p50: 9, p99: 35 } },
    { name: 'pubsub.clock_offset', kind: 'gauge', tags: { subscriber: 'orders' }, unit: 'ms', value: -1.5 },
    { name: 'pubsub.clock_offset_uncertainty', kind: 'gauge', tags: { subscriber: 'orders' }, unit: 'ms', value: 0.8 },
    { name: 'pubsub.negative_latency', kind: 'counter', tags: { subscriber: 'orders' }, count: 2 },
    { name: 'pubsub.publish_success_rate', kind: 'rate', tags: {}, rate: 1, passes: 20500, fails: 0 },
    {
      name: 'pubsub.e2e_latency',
      kind: 'trend',
      tags: { subscriber: 'orders' },
      unit: 'ms',
      stats: { min: 2, avg: 40, med: 31, p50: 31, p90: 120, p99: e2eP99, 'p99.9': 900, max: 950 },
    },
    {
      name: 'pubsub.e2e_latency',
      kind: 'trend',
      tags: { subscriber: 'audit' },
      unit: 'ms',
      stats: { min: 2, avg: 38, med: 30, p50: 30, p90: 110, p99: 400, 'p99.9': 870, max: 990 },
    },
    { name: 'state.success_rate', kind: 'rate', tags: { operation: 'save' }, rate: 0.999, passes: 9990, fails: 10 },
    { name: 'state.success_rate', kind: 'rate', tags: { operation: 'get' }, rate: 1, passes: 10000, fails: 0 },
    { name: 'state.latency', kind: 'trend', tags: { operation: 'save' }, unit: 'ms', stats: { p50: 3, p90: 6, p99: 12, max: 30 } },
    { name: 'invoke.success_rate', kind: 'rate', tags: {}, rate: 0.9999, passes: 9999, fails: 1 },
    {
      name: 'invoke.latency',
      kind: 'trend',
      tags: { scenario: 'invoke-steady' },
      unit: 'ms',
      stats: { p50: 4, p90: 8, p99: 20, 'p99.9': 45, max: 60 },
    },
    { name: 'autoscale.max_replicas', kind: 'gauge', tags: { app: 'worker' }, value: 50 },
  ];
  return emptyResults({
    runId: '20261127-064501-aaaa',
    kind: 'all',
    target: { kind: 'local', description: 'reference deployment' },
    startedAt: '2026-11-27T06:45:01.000Z',
    finishedAt: '2026-11-27T06:58:31.000Z',
    environment: {
      daprVersion: '1.18.2',
      components: [
        { name: 'statestore', type: 'state.redis', version: 'v1' },
        { name: 'pubsub', type: 'pubsub.jetstream', version: 'v1' },
      ],
      configurationDigest: 'sha256:c0ffee',
      resiliencyDigest: 'sha256:beef',
      mtlsEnabled: true,
      host: 'ci-runner-1',
      node: 'v20.20.2',
    },
    tests: [
      {
        id: 'US1 publishes',
        title: 'publishes and every subscriber receives',
        suitePath: ['pubsub', 'US1'],
        tags: ['US1', 'T010'],
        status: 'passed',
        durationMs: 812,
        measurements: { delivered: 100 },
      },
      {
        id: 'US1 mal',
        title: MALICIOUS_TITLE,
        suitePath: ['pubsub', 'US1'],
        tags: ['US1'],
        status: 'passed',
        durationMs: 15,
        measurements: {},
      },
      {
        id: 'US2 state',
        title: 'saves and reads back with etag',
        suitePath: ['state', 'US2'],
        tags: ['US2', 'T020'],
        status: 'failed',
        durationMs: 2500,
        failure: { message: 'expected etag 2 but got 1', stack: 'AssertionError: expected etag 2 but got 1\n    at state.test.ts:40' },
        measurements: {},
      },
      {
        id: 'US3 invoke',
        title: 'invokes across apps with mTLS',
        suitePath: ['invoke', 'US3'],
        tags: ['US3'],
        status: 'passed',
        durationMs: 90,
        measurements: { p99Ms: 12 },
      },
      {
        id: 'misc',
        title: 'metadata lists the components',
        suitePath: ['metadata'],
        tags: [],
        status: 'skipped',
        durationMs: 0,
        measurements: {},
      },
    ],
    chaos: [
      {
        probe: 'redis-outage-retries',
        target: 'statestore',
        policy: 'retryForever',
        expected: { retries: 3, recoveredWithinMs: 5000 },
        observed: { retries: 3, recoveredWithinMs: 4200 },
        tolerance: { recoveredWithinMs: 500 },
        passed: true,
      },
      {
        probe: 'nats-restart-redelivery',
        target: 'pubsub',
        expected: { lost: 0 },
        observed: { lost: 4 },
        passed: false,
        note: 'messages published during the restart were lost',
      },
    ],
    metrics,
    scenarios: [
      {
        name: 'pubsub-throughput',
        settings: { ratePerSecond: 200, durationMs: 30000, subscribers: 2 },
        timeline: timeline(30, 200, [12, 13]),
        histograms: {
          orders: [
            { le: 5, count: 4000 },
            { le: 10, count: 8000 },
            { le: 50, count: 6000 },
            { le: 100, count: 1800 },
            { le: 500, count: 180 },
            { le: 1000, count: 20 },
          ],
        },
        resources: [0, 5, 10, 15, 20, 25].flatMap((t) => [
          { process: 'daprd-publisher', t, cpuPercent: 20 + t, rssMb: 60 + t / 5 },
          { process: 'daprd-orders', t, cpuPercent: 10 + t / 2, rssMb: 55 },
        ]),
      },
      { name: 'invoke-steady', settings: { ratePerSecond: 100 }, timeline: timeline(10, 100) },
      {
        name: 'autoscale',
        settings: { targetReplicas: 50 },
        timeline: Array.from({ length: 20 }, (_, t) => ({ t, requests: 300, errors: 0, replicas: Math.min(50, 1 + t * 3) })),
      },
    ],
    ...overrides,
  });
}
