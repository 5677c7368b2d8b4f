/**
 * What the load driver costs, as ratios against baselines measured in the same run against the same local
 * server (a child process, so its CPU is not counted as the driver's):
 *  - closed-model throughput of the driver vs a bare undici loop (`pool.request` + read body, same connections);
 *  - CPU and heap growth per 1 000 requests, driver vs that loop, closed and at a fixed open rate;
 *  - how close the open model gets to the asked rate, and what its scheduler adds to latency (corrected vs
 *    uncorrected p50 on a server that answers at once);
 *  - recording into the pure-JS HdrHistogram vs the WebAssembly build.
 * Prints figures; asserts nothing.
 *
 *   npx tsx bench/driver/driver-bench.ts [--seconds 3] [--rounds 3] [--connections 16]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { build, initWebAssembly } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { runLoad } from '../../load/driver/load-driver';
import { startBenchServer } from '../support/bench-server';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
if (![SECONDS, ROUNDS, CONNECTIONS].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('bench.invalid-flag: --seconds, --rounds and --connections take whole numbers ≥ 1 · e.g. --seconds 3 --rounds 3\n');
  process.exit(2);
}

// Retained memory is only comparable after a full collection; this exposes gc() without a node flag.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

interface Run {
  requests: number;
  seconds: number;
  cpuMs: number;
  /** Heap still in use after the run and a full collection, compared with before it. */
  heapGrowthMb: number;
}

async function measured(fn: () => Promise<number>): Promise<Run> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const requests = await fn();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  gc();
  return {
    requests,
    seconds,
    cpuMs: (cpu.user + cpu.system) / 1000,
    heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024,
  };
}

/** The floor: as many concurrent `pool.request` loops as connections, nothing measured per request. */
async function bareUndiciLoop(url: string): Promise<number> {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const deadline = performance.now() + SECONDS * 1000;
  let count = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const { body } = await pool.request({ method: 'GET', path: '/' });
      await body.dump();
      count++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.destroy();
  return count;
}

async function driverClosed(url: string): Promise<number> {
  const result = await runLoad({ url, model: { kind: 'closed' }, connections: CONNECTIONS, durationMs: SECONDS * 1000 });
  return result.totals.sent;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function perThousand(r: Run): number {
  return (r.cpuMs / r.requests) * 1000;
}

function histogramRecording(useWebAssembly: boolean): number {
  const h = build({ useWebAssembly, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const n = 2_000_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) h.recordValue(100 + ((i * 7919) % 500_000));
  const ms = performance.now() - started;
  h.destroy();
  return (ms * 1e6) / n; // ns per value
}

const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const server = await startBenchServer();
try {
  // Warm both paths (JIT, sockets) before measuring.
  await runLoad({ url: server.url, model: { kind: 'closed' }, connections: CONNECTIONS, durationMs: 500 });
  const bare: Run[] = [];
  const closed: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate so that drift on a shared machine hits both sides alike.
    bare.push(await measured(() => bareUndiciLoop(server.url)));
    closed.push(await measured(() => driverClosed(server.url)));
  }
  const bareRate = median(bare.map((r) => r.requests / r.seconds));
  const closedRate = median(closed.map((r) => r.requests / r.seconds));
  const bareCpu = median(bare.map(perThousand));
  const closedCpu = median(closed.map(perThousand));

  const openRate = Math.max(100, Math.round((bareRate * 0.5) / 100) * 100);
  let openResult: Awaited<ReturnType<typeof runLoad>> | undefined;
  const open = await measured(async () => {
    openResult = await runLoad({
      url: server.url,
      model: { kind: 'open', ratePerSecond: openRate },
      connections: CONNECTIONS,
      durationMs: SECONDS * 1000,
    });
    return openResult.totals.sent;
  });

  const jsNs = histogramRecording(false);
  await initWebAssembly();
  const wasmNs = histogramRecording(true);

  out(`driver bench: ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s each side, medians; server in a child process`);
  out('');
  out('closed model, as fast as the server answers');
  out(`  bare undici loop   : ${bareRate.toFixed(0)} req/s, ${bareCpu.toFixed(1)} ms CPU per 1k requests`);
  out(`  driver (closed)    : ${closedRate.toFixed(0)} req/s, ${closedCpu.toFixed(1)} ms CPU per 1k requests`);
  out(`  ratio              : ${(closedRate / bareRate).toFixed(2)}× throughput, ${(closedCpu / bareCpu).toFixed(2)}× CPU per request`);
  out(
    `  heap kept after run: driver ${median(closed.map((r) => r.heapGrowthMb)).toFixed(2)} MiB, bare ${median(bare.map((r) => r.heapGrowthMb)).toFixed(2)} MiB (after a full GC)`,
  );
  out('');
  out(`open model at ${openRate}/s (half the bare loop's maximum)`);
  if (openResult) {
    const l = openResult.latency;
    out(
      `  achieved           : ${openResult.achievedRatePerSecond}/s = ${(openResult.achievedRatePerSecond / openRate).toFixed(3)}× asked; dropped ${openResult.totals.dropped}, errors ${openResult.totals.errors}`,
    );
    out(`  CPU per 1k         : ${perThousand(open).toFixed(1)} ms = ${(perThousand(open) / bareCpu).toFixed(2)}× the bare loop's`);
    out(
      `  latency p50 / p99  : corrected ${l.corrected.p50} / ${l.corrected.p99} ms, uncorrected ${l.uncorrected.p50} / ${l.uncorrected.p99} ms`,
    );
    out(
      `  scheduler lateness : corrected − uncorrected p50 = ${(l.corrected.p50 - l.uncorrected.p50).toFixed(2)} ms (timer resolution is 1 ms)`,
    );
  }
  out('');
  out('HdrHistogram recordValue');
  out(`  pure JS            : ${jsNs.toFixed(0)} ns/value`);
  out(`  WebAssembly        : ${wasmNs.toFixed(0)} ns/value = ${(wasmNs / jsNs).toFixed(2)}× pure JS`);
} finally {
  await server.stop();
}
