/**
 * `npm run bench`: what README's "Measured on this machine" shows, from one invocation.
 *  1. The driver's maximum rate against autocannon and wrk on the same trivial server (closed loop, same
 *     connections, rounds in rotated order, medians): ratios, since the machine is shared.
 *  2. Coordinated omission: a server that stalls 2 s every 10 s, the driver's corrected and uncorrected p99 against
 *     the analytic truth (bench/driver/stall-truth.ts), with autocannon's and wrk's p99 on the same server.
 *  3. With --capacity: `npm run load -- --scenario <s> --find-capacity` per scenario on the local reference
 *     deployment, its knee, curve and cost per request.
 * Writes reports/bench/bench.json; --readme also rewrites the README section from it. Prints figures; asserts
 * nothing.
 *
 *   npm run bench [-- --seconds 5 --rounds 3 --connections 16 --stall-seconds 30 --capacity pubsub --max-time 15m --readme]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { commandPath } from '../harness/process/required-commands';
import { REPO_ROOT, REPORTS_DIR } from '../harness/paths';
import { readResults } from '../harness/results/results-store';
import { runLoad } from '../load/driver/load-driver';
import type { BenchRecord } from './bench-record';
import { autocannon, wrk, type ToolRun } from './driver/peer-tools';
import { stallPercentileMs } from './driver/stall-truth';
import { readmeSection, replaceReadmeSection } from './readme-section';
import { startBenchServer } from './support/bench-server';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    'stall-seconds': { type: 'string', default: '30' },
    'stall-rate': { type: 'string', default: '200' },
    capacity: { type: 'string' },
    'max-time': { type: 'string', default: '15m' },
    readme: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const STALL_SECONDS = Number(values['stall-seconds']);
const STALL_RATE = Number(values['stall-rate']);
const STALL = { stallMs: 2000, periodMs: 10_000 };
if (
  ![SECONDS, ROUNDS, CONNECTIONS, STALL_RATE].every((n) => Number.isInteger(n) && n > 0) ||
  STALL_SECONDS % 10 !== 0 ||
  STALL_SECONDS <= 0
) {
  process.stderr.write(
    'bench.invalid-flag: --seconds, --rounds, --connections and --stall-rate take whole numbers ≥ 1, --stall-seconds a multiple of 10 · e.g. --seconds 5 --stall-seconds 30\n',
  );
  process.exit(2);
}
const capacityScenarios = (values.capacity ?? '').split(',').filter(Boolean);
for (const s of capacityScenarios)
  if (!['invoke', 'pubsub', 'state'].includes(s)) {
    process.stderr.write(`bench.invalid-flag: --capacity takes invoke, pubsub and state, not ${s} · e.g. --capacity pubsub,invoke\n`);
    process.exit(2);
  }
const hasWrk = commandPath('wrk') !== undefined;
const out = (line: string): boolean => process.stdout.write(`${line}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const argv = process.argv.slice(2).join(' ');
const command = `npm run bench${argv ? ` -- ${argv}` : ''}`;
const loadStart = loadavg()[0] ?? 0;

async function driverMaxRate(url: string): Promise<number> {
  const r = await runLoad({ url, model: { kind: 'closed' }, connections: CONNECTIONS, durationMs: SECONDS * 1000 });
  return r.achievedRatePerSecond;
}

async function maxRates(): Promise<BenchRecord['maxRate']> {
  const server = await startBenchServer();
  try {
    await runLoad({ url: server.url, model: { kind: 'closed' }, connections: CONNECTIONS, durationMs: 1000 });
    const sides: { name: 'driver' | 'autocannon' | 'wrk'; run: () => Promise<number> }[] = [
      { name: 'driver', run: () => driverMaxRate(server.url) },
      { name: 'autocannon', run: async () => (await autocannon(server.url, CONNECTIONS, SECONDS)).requestsPerSecond },
      ...(hasWrk ? [{ name: 'wrk' as const, run: async () => (await wrk(server.url, CONNECTIONS, SECONDS)).requestsPerSecond }] : []),
    ];
    const rates = new Map<string, number[]>(sides.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate so that drift on a shared machine falls on every tool alike.
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(i + round) % sides.length] as (typeof sides)[number];
        const rate = await side.run();
        rates.get(side.name)?.push(rate);
        out(`  round ${round + 1}: ${side.name.padEnd(10)} ${rate.toFixed(0)} req/s`);
      }
    }
    const record: BenchRecord['maxRate'] = {
      command,
      connections: CONNECTIONS,
      seconds: SECONDS,
      rounds: ROUNDS,
      driver: median(rates.get('driver') ?? []),
      autocannon: median(rates.get('autocannon') ?? []),
    };
    if (hasWrk) record.wrk = median(rates.get('wrk') ?? []);
    return record;
  } finally {
    await server.stop();
  }
}

async function stallTest(): Promise<BenchRecord['stall']> {
  const truthP99Ms = stallPercentileMs(99, STALL.stallMs, STALL.periodMs);
  let server = await startBenchServer(STALL);
  try {
    const r = await runLoad({
      url: server.url,
      model: { kind: 'open', ratePerSecond: STALL_RATE },
      connections: CONNECTIONS,
      durationMs: STALL_SECONDS * 1000,
      timeoutMs: 10_000,
    });
    await server.stop();
    server = await startBenchServer(STALL);
    const ac: ToolRun = await autocannon(server.url, CONNECTIONS, STALL_SECONDS);
    await server.stop();
    let wrkRun: ToolRun | undefined;
    if (hasWrk) {
      server = await startBenchServer(STALL);
      wrkRun = await wrk(server.url, CONNECTIONS, STALL_SECONDS);
    }
    return {
      command,
      ...STALL,
      ratePerSecond: STALL_RATE,
      seconds: STALL_SECONDS,
      truthP99Ms,
      correctedP99Ms: r.latency.corrected.p99,
      uncorrectedP99Ms: r.latency.uncorrected.p99,
      driverLimited: r.driver.limited,
      autocannonP99Ms: ac.p99Ms,
      ...(wrkRun ? { wrkP99Ms: wrkRun.p99Ms } : {}),
    };
  } finally {
    await server.stop();
  }
}

/** The load command itself, in a child process, so the capacity figures are exactly what a user gets. */
async function capacity(scenario: string): Promise<BenchRecord['capacity'][number]> {
  const runDir = join(REPORTS_DIR, 'bench', `capacity-${scenario}`);
  const args = ['--scenario', scenario, '--find-capacity', '--max-time', values['max-time'] as string, '--out', runDir];
  const cmd = `npm run load -- ${args.slice(0, -2).join(' ')}`;
  out(`\n${cmd}  (results in ${runDir})`);
  try {
    await promisify(execFile)(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'harness/cli/main.ts'), 'load', ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 64 << 20,
    }).catch((err: { code?: number; stderr?: string }) => {
      // Exit 1 is a failing verdict (the search ran past the knee): the results are still complete.
      if (err.code !== 1) throw new Error(`${cmd} failed: ${(err.stderr ?? '').split('\n').slice(-3).join(' ')}`);
    });
    const results = readResults(runDir);
    const c = results.capacity?.find((x) => x.scenario === scenario);
    if (!c) return { scenario, command: cmd, runDir, endedBy: 'not run', steps: [], error: 'the run recorded no capacity search' };
    const cost = results.scenarios.find((s) => s.cost)?.cost;
    return {
      scenario,
      command: cmd,
      runDir,
      endedBy: c.endedBy,
      steps: c.steps,
      ...(c.maxMetRatePerSecond !== undefined ? { maxMetRatePerSecond: c.maxMetRatePerSecond } : {}),
      ...(c.brokenRatePerSecond !== undefined ? { brokenRatePerSecond: c.brokenRatePerSecond } : {}),
      ...(cost ? { cost } : {}),
    };
  } catch (err) {
    return { scenario, command: cmd, runDir, endedBy: 'failed', steps: [], error: (err as Error).message };
  }
}

out(
  `bench on ${hostname()}: ${cpus().length} cores, load average ${loadStart.toFixed(1)}${hasWrk ? '' : ' · wrk not installed (apt-get install wrk)'}`,
);
out(`\nmaximum rate, closed loop, ${CONNECTIONS} connections, ${ROUNDS} rounds × ${SECONDS} s`);
const maxRate = await maxRates();
out(
  `  medians: driver ${maxRate.driver.toFixed(0)}, autocannon ${maxRate.autocannon.toFixed(0)}${maxRate.wrk !== undefined ? `, wrk ${maxRate.wrk.toFixed(0)}` : ''} req/s` +
    ` → driver ${(maxRate.driver / maxRate.autocannon).toFixed(2)}× autocannon (goal ≥ 0.8×)${maxRate.wrk !== undefined ? `, ${(maxRate.driver / maxRate.wrk).toFixed(2)}× wrk` : ''}`,
);
out(`\ncoordinated omission: server stalls ${STALL.stallMs} ms every ${STALL.periodMs} ms, open ${STALL_RATE}/s for ${STALL_SECONDS} s`);
const stall = await stallTest();
const off = (Math.abs(stall.correctedP99Ms - stall.truthP99Ms) / stall.truthP99Ms) * 100;
out(
  `  true p99 ${stall.truthP99Ms} ms · driver corrected ${stall.correctedP99Ms} ms (${off.toFixed(1)} % off, goal ≤ 5 %)${stall.driverLimited ? ' DRIVER-LIMITED' : ''}` +
    ` · uncorrected ${stall.uncorrectedP99Ms} ms · autocannon ${stall.autocannonP99Ms} ms${stall.wrkP99Ms !== undefined ? ` · wrk ${stall.wrkP99Ms} ms` : ''}`,
);
const capacities: BenchRecord['capacity'] = [];
for (const s of capacityScenarios) {
  const c = await capacity(s);
  capacities.push(c);
  out(
    c.error
      ? `  ${s}: ${c.error}`
      : `  ${s}: highest rate within the criteria ${c.maxMetRatePerSecond ?? 'none'}/s, broken at ${c.brokenRatePerSecond ?? '-'}/s (${c.endedBy})`,
  );
}
const cpu = cpus()[0];
const record: BenchRecord = {
  date: new Date().toISOString(),
  host: hostname(),
  cpuModel: cpu?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  loadAverage: { start: loadStart, end: loadavg()[0] ?? 0 },
  node: process.version,
  command,
  maxRate,
  stall,
  capacity: capacities,
};
mkdirSync(join(REPORTS_DIR, 'bench'), { recursive: true });
const file = join(REPORTS_DIR, 'bench', 'bench.json');
writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
out(`\nwrote ${file}`);
if (values.readme) {
  const readme = join(REPO_ROOT, 'README.md');
  writeFileSync(readme, replaceReadmeSection(readFileSync(readme, 'utf8'), readmeSection(record)));
  out(`rewrote README.md's "Measured on this machine" from it`);
}
