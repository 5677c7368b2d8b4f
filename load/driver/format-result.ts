import { renderTable } from '../../harness/console/table';
import type { DriverResult } from './driver-result';
import type { LatencySummary } from './latency-recorder';

function ms(v: number): string {
  if (v >= 100) return `${Math.round(v)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function latencyRow(label: string, s: LatencySummary): string[] {
  return [label, ms(s.p50), ms(s.p90), ms(s.p99), ms(s['p99.9']), ms(s.mean), ms(s.max)];
}

/**
 * The console summary, autocannon-style: a latency table (both measurements for open models, so the effect of
 * coordinated omission is in plain view) and one line of counts. Dropped and unfinished requests are always
 * shown when there are any, and a partial run says so first.
 */
export function formatResult(result: DriverResult): string {
  const lines: string[] = [];
  if (result.partial) lines.push(`PARTIAL RESULT — run stopped early (${result.stopReason}); figures cover what happened until then`);
  else if (result.stopReason === 'deadline')
    lines.push(
      `OVERLOADED — ${count(result.totals.unfinished)} requests were still waiting or in flight at the run's deadline: the target did not keep up with the asked rate (they count as failures)`,
    );
  const rows =
    result.model === 'closed'
      ? [latencyRow('latency', result.latency.uncorrected)]
      : [
          latencyRow('latency (from intended send)', result.latency.corrected),
          latencyRow('service time (from actual send)', result.latency.uncorrected),
        ];
  lines.push(
    result.latency.corrected.count === 0
      ? 'latency: no answered requests'
      : renderTable(['', 'p50', 'p90', 'p99', 'p99.9', 'mean', 'max'], rows),
  );

  const t = result.totals;
  const seconds = (result.measuredMs / 1000).toFixed(1);
  const rate =
    result.requestedRatePerSecond !== undefined
      ? `${result.achievedRatePerSecond}/s of ${result.requestedRatePerSecond}/s asked`
      : `${result.achievedRatePerSecond}/s`;
  const warm = result.warmup.sent > 0 ? ` (+${count(result.warmup.sent)} warm-up requests not counted)` : '';
  lines.push(`${count(t.sent)} requests in ${seconds} s, ${rate}${warm}`);
  const parts = [`${count(t.ok)} ok`, `${count(t.errors)} errors`];
  if (t.timeouts > 0) parts.push(`${count(t.timeouts)} of them timeouts (in the latency at ≥ ${String(result.settings.timeoutMs)} ms)`);
  if (t.dropped > 0) parts.push(`${count(t.dropped)} DROPPED (maxInFlight reached, never sent)`);
  if (t.unfinished > 0) parts.push(`${count(t.unfinished)} unfinished`);
  lines.push(parts.join(', '));
  const kinds = Object.entries(t.errorsByKind).sort(([, a], [, b]) => b - a);
  if (kinds.length > 0) lines.push(`errors: ${kinds.map(([k, n]) => `${k} ${count(n)}`).join(', ')}`);
  const h = result.driver;
  lines.push(
    h.limited
      ? `DRIVER-LIMITED — the harness, not the target, set the pace: ${h.reasons.join('; ')}`
      : `driver kept its schedule: lateness p99 ${h.latenessP99Ms} ms, event-loop delay p99 ${h.eventLoopDelayP99Ms} ms, ${h.cpuCores} cores`,
  );
  return lines.join('\n');
}
