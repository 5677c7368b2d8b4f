import { DAPR_PUBLISHED_SIDECAR } from '../load/cost/request-cost';
import type { BenchRecord } from './bench-record';

export const README_BEGIN = '<!-- measured-on-this-machine:begin (written by `npm run bench -- --readme`; do not edit by hand) -->';
export const README_END = '<!-- measured-on-this-machine:end -->';

const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The README's "Measured on this machine" body, every figure from one bench record, with its command. */
export function readmeSection(b: BenchRecord): string {
  const m = b.maxRate;
  const s = b.stall;
  const errorPct = (Math.abs(s.correctedP99Ms - s.truthP99Ms) / s.truthP99Ms) * 100;
  const lines = [
    README_BEGIN,
    `Measured by \`${b.command}\` on ${b.date.slice(0, 10)} (${b.date.slice(11, 16)} UTC), host \`${b.host}\` (${b.cores} × ${b.cpuModel}, Node ${b.node}).`,
    `**The machine was shared and loaded**: other work ran on these ${b.cores} cores at the same time (1-minute load average ${b.loadAverage.start.toFixed(1)} at the start, ${b.loadAverage.end.toFixed(1)} at the end), so absolute figures are low and move from run to run; the ratios, measured side by side in the same run, move less.`,
    '',
    `**Driver against autocannon and wrk** (\`${m.command}\`): the same trivial server in a child process, closed loop, ${m.connections} connections, ${m.rounds} rounds × ${m.seconds} s each, medians, order rotated every round.`,
    '',
    '| tool | requests/s | driver ÷ tool |',
    '| --- | --- | --- |',
    `| dapr-harness driver | ${int(m.driver)} | — |`,
    `| autocannon 9.0.0 | ${int(m.autocannon)} | ${ratio(m.driver, m.autocannon)} (goal ≥ 0.8×) |`,
    m.wrk !== undefined ? `| wrk (Debian) | ${int(m.wrk)} | ${ratio(m.driver, m.wrk)} |` : '| wrk (Debian) | not installed | — |',
    '',
    `**Coordinated omission** (\`${s.command}\`): the server stalls ${s.stallMs / 1000} s every ${s.periodMs / 1000} s; the driver sends an open ${s.ratePerSecond}/s for ${s.seconds} s. The true p99 of what an open-loop client waits is ${s.stallMs} − 1 % × ${s.periodMs} = ${s.truthP99Ms} ms.`,
    '',
    '| measure | p99 | against the truth |',
    '| --- | --- | --- |',
    `| driver, from intended send (corrected) | ${int(s.correctedP99Ms)} ms | ${errorPct.toFixed(1)} % off (goal ≤ 5 %)${s.driverLimited ? ', driver-limited' : ''} |`,
    `| driver, from actual send (uncorrected) | ${int(s.uncorrectedP99Ms)} ms | ${ratio(s.uncorrectedP99Ms, s.truthP99Ms)} |`,
    `| autocannon (closed loop, same server) | ${int(s.autocannonP99Ms)} ms | ${ratio(s.autocannonP99Ms, s.truthP99Ms)} |`,
    s.wrkP99Ms !== undefined ? `| wrk (closed loop, same server) | ${int(s.wrkP99Ms)} ms | ${ratio(s.wrkP99Ms, s.truthP99Ms)} |` : '',
  ];
  for (const c of b.capacity) {
    lines.push('', `**Capacity of \`${c.scenario}\`** on the local reference deployment (\`${c.command}\`):`);
    if (c.error) {
      lines.push('', `Not measured: ${c.error}`);
      continue;
    }
    lines.push(
      '',
      `${c.maxMetRatePerSecond !== undefined ? `highest rate within criteria.yaml: **${c.maxMetRatePerSecond}/s**` : 'no rate tried met criteria.yaml'}; ${c.brokenRatePerSecond !== undefined ? `broken at ${c.brokenRatePerSecond}/s` : 'none broke them'} (search ended: ${c.endedBy}).`,
      '',
      '| rate | achieved | p50 | p90 | p99 | cores used | criteria |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...c.steps.map(
        (st) =>
          `| ${st.ratePerSecond}/s | ${st.achievedRatePerSecond}/s | ${ms(st.p50Ms)} | ${ms(st.p90Ms)} | ${ms(st.p99Ms)} | ${st.cpuCores?.toFixed(2) ?? '-'} | ${st.met ? 'met' : `broke: ${st.broken.map((x) => x.split(':')[0]).join(', ')}`} |`,
      ),
    );
    if (c.cost) {
      const pub = DAPR_PUBLISHED_SIDECAR;
      lines.push(
        '',
        `Cost at ${c.maxMetRatePerSecond ?? 'the lowest rate tried'}/s, per 1000 ${c.cost.unit}s (from /proc; Dapr publishes ~${pub.cpuSecondsPer1000} CPU-s and ~${pub.rssMb} MB per sidecar at 1000 req/s):`,
        '',
        '| process | role | CPU-s per 1000 | cores | peak RSS |',
        '| --- | --- | --- | --- | --- |',
        ...c.cost.processes
          .filter((p) => p.cpuSecondsPer1000 >= IDLE_CPU_SECONDS_PER_1000)
          .map(
            (p) =>
              `| ${p.process} | ${p.role} | ${p.cpuSecondsPer1000.toFixed(3)} | ${p.avgCores.toFixed(2)} | ${p.peakRssMb.toFixed(0)} MB |`,
          ),
        idleLine(c.cost.processes),
        '',
        costArithmetic(c.cost),
      );
    }
  }
  lines.push(README_END);
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n');
}

/** Processes that took no part in the scenario's work cost less than this; they are named in one line, not a row each. */
const IDLE_CPU_SECONDS_PER_1000 = 0.02;

function idleLine(processes: { process: string; cpuSecondsPer1000: number }[]): string {
  const idle = processes.filter((p) => p.cpuSecondsPer1000 < IDLE_CPU_SECONDS_PER_1000).map((p) => p.process);
  return idle.length > 0
    ? `| ${idle.length} more, idle in this scenario (< ${IDLE_CPU_SECONDS_PER_1000} CPU-s each): ${idle.join(', ')} | | | | |`
    : '';
}

/** What the measured cost per event says about 1000 events/s on this machine. */
function costArithmetic(c: NonNullable<BenchRecord['capacity'][number]['cost']>): string {
  const perThousand = c.processes.filter((p) => p.role !== 'driver').reduce((n, p) => n + p.cpuSecondsPer1000, 0);
  const driver = c.processes.find((p) => p.role === 'driver')?.cpuSecondsPer1000 ?? 0;
  return (
    `CPU budget: the deployment used ${c.deploymentCores.toFixed(2)} of ${c.machineCores} cores (${(c.cpuBudget * 100).toFixed(0)} %)` +
    `${c.machineBusyShare !== undefined ? `, the machine was ${(c.machineBusyShare * 100).toFixed(0)} % busy` : ''}${c.machineLimited ? ' — the machine was the limit' : ''}. ` +
    `At ${perThousand.toFixed(2)} CPU-s per 1000 ${c.unit}s for the deployment (+${driver.toFixed(2)} for the driver), 1000 ${c.unit}s/s need ${(perThousand + driver).toFixed(2)} cores; this machine has ${c.machineCores}.`
  );
}

function ms(v: number | undefined): string {
  return v === undefined ? '-' : v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

/** README text with the section between the markers replaced (or an error when the markers are missing). */
export function replaceReadmeSection(readme: string, section: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md has no "${README_BEGIN}" … "${README_END}" markers`);
  return readme.slice(0, a) + section + readme.slice(b + README_END.length);
}
