/**
 * How rendering scales with the size of a run: a one-hour run (4 scenarios × 3600 timeline points, 1000 tests,
 * 300 metric series, 10 sampled processes) against the small rich test fixture, rendered in the same process.
 * Prints time and page size and their ratios; asserts nothing.
 *
 *   npx tsx bench/report/render-large-run.ts
 */
import { performance } from 'node:perf_hooks';
import { buildReportHtml } from '../../harness/report/render-report';
import type { MetricSample, RunResults, ScenarioResult } from '../../harness/results/results-model';
import { richResults } from '../../test/support/results-fixtures';

const ROUNDS = 5;

function largeRun(): RunResults {
  const base = richResults();
  const scenarios: ScenarioResult[] = ['invoke', 'pubsub', 'state', 'autoscale'].map((name) => ({
    name,
    settings: { ratePerSecond: 1000, durationMs: 3_600_000 },
    timeline: Array.from({ length: 3600 }, (_, t) => ({
      t,
      requests: 1000 + (t % 17),
      errors: t % 97 === 0 ? 3 : 0,
      p50: 5 + (t % 7),
      p99: 40 + (t % 31),
      ...(name === 'autoscale' ? { replicas: Math.min(50, 1 + Math.floor(t / 30)) } : {}),
    })),
    histograms: {
      all: Array.from({ length: 60 }, (_, i) => ({ le: Math.round(1.2 ** i), count: Math.round(100_000 * Math.exp(-i / 8)) })),
    },
    resources: Array.from({ length: 720 }, (_, i) =>
      Array.from({ length: 10 }, (_, p) => ({ process: `daprd-${p}`, t: i * 5, cpuPercent: 10 + ((i + p) % 40), rssMb: 60 + p })),
    ).flat(),
  }));
  const metrics: MetricSample[] = Array.from({ length: 100 }, (_, i) => [
    { name: 'pubsub.delivery_rate', kind: 'rate' as const, tags: { subscriber: `sub-${i}` }, rate: 0.9995, passes: 19990, fails: 10 },
    {
      name: 'pubsub.e2e_latency',
      kind: 'trend' as const,
      tags: { subscriber: `sub-${i}` },
      unit: 'ms',
      stats: { p50: 10, p90: 50, p99: 200, 'p99.9': 600, max: 900 },
    },
    { name: 'pubsub.delivered', kind: 'counter' as const, tags: { subscriber: `sub-${i}` }, count: 19990 },
  ]).flat();
  const tests = Array.from({ length: 1000 }, (_, i) => ({
    id: `t${i}`,
    title: `US${(i % 9) + 1} case ${i}`,
    suitePath: [`US${(i % 9) + 1}`],
    tags: [`US${(i % 9) + 1}`],
    status: (i % 50 === 0 ? 'failed' : 'passed') as 'failed' | 'passed',
    durationMs: 20,
    measurements: {},
    ...(i % 50 === 0 ? { failure: { message: `expected ${i} to equal ${i + 1}` } } : {}),
  }));
  return { ...base, scenarios, metrics, tests };
}

function measure(results: RunResults, previous: RunResults): { ms: number; bytes: number } {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    bytes = buildReportHtml(results, { previous }).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] ?? 0, bytes };
}

const small = richResults();
const large = largeRun();
const baseline = measure(small, small);
const big = measure(large, large);
const kb = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;
process.stdout.write(
  [
    `median of ${ROUNDS} renders (compared with itself as previous run)`,
    `  rich fixture : ${baseline.ms.toFixed(1)} ms, ${kb(baseline.bytes)}`,
    `  one-hour run : ${big.ms.toFixed(1)} ms, ${kb(big.bytes)}`,
    `  ratio        : ${(big.ms / baseline.ms).toFixed(1)}× time, ${(big.bytes / baseline.bytes).toFixed(1)}× size`,
  ].join('\n') + '\n',
);
