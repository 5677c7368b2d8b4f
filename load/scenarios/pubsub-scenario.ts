import { sidecarMetadata } from '../../harness/targets/sidecar-metadata';
import { epochNow, runLoad, formatResult, toMetricSamples, toScenarioResult } from '../driver';
import type { AppEndpoint, Deployment } from '../../harness/targets/deployment';
import { clockOffsetMetrics, offsetFromReadings, readClock, remoteStampToLocal, type ClockOffset, type ClockReading } from './clock-offset';
import { reconcile, reconciliationMetrics, type DeliveredEntry } from './delivery-reconciliation';
import { PublishLog } from './publish-log';
import { drainDeliveries, STALL_MS, type DrainOutcome } from './delivery-drain';
import { brokerHeld } from './broker-backlog';
import { progressLine, recordCost, startResourceSampling, type Scenario, type ScenarioContext } from './scenario';

const PUBLISHER = 'task-service';
const PUBSUB = 'pubsub';
const TOPIC = 'task.created';

/** App ids whose sidecars subscribe to the topic, from their metadata (declarative and programmatic alike). */
async function subscribersOf(d: Deployment, topic: string): Promise<string[]> {
  const out: string[] = [];
  for (const appId of new Set(d.apps.map((a) => a.appId))) {
    const meta = await sidecarMetadata(d.sidecar(appId).httpUrl, d.apiToken);
    if (meta.subscriptions?.some((s) => s.pubsubname === PUBSUB && s.topic === topic)) out.push(appId);
  }
  return out;
}

/** Clock exchanges per subscriber instance, before the load and again after the drain; the quickest one counts. */
const CLOCK_READINGS = 8;

function instancesOf(d: Deployment, appId: string): (AppEndpoint & { appUrl: string })[] {
  return d.apps
    .filter((a) => a.appId === appId)
    .map((inst) => {
      if (!inst.appUrl) throw new Error(`reconciling deliveries needs ${appId}'s ledger, and the target does not expose its address`);
      return { ...inst, appUrl: inst.appUrl };
    });
}

function instanceKey(inst: AppEndpoint): string {
  return `${inst.appId}#${inst.instance}`;
}

/** The clock a subscriber instance stamps its ledger with (GET /ledger/clock, system-under-test/API.md). */
async function ledgerClock(inst: AppEndpoint & { appUrl: string }): Promise<number> {
  const res = await fetch(`${inst.appUrl}/ledger/clock`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json().catch(() => ({}))) as { now?: unknown };
  if (!res.ok || typeof body.now !== 'number') {
    throw new Error(
      `${inst.appId} answered ${res.status} to GET /ledger/clock without a clock reading: its app predates the clock route, so the skew between its clock and the harness's cannot be measured · rebuild and redeploy the apps from system-under-test/`,
    );
  }
  return body.now;
}

/** NTP-style readings of every instance's ledger clock against the harness clock the publish stamps are on. */
async function readLedgerClocks(d: Deployment, subscribers: string[], into: Map<string, ClockReading[]>): Promise<void> {
  for (const appId of subscribers) {
    for (const inst of instancesOf(d, appId)) {
      const readings = await readClock(() => ledgerClock(inst), epochNow, CLOCK_READINGS);
      into.set(instanceKey(inst), [...(into.get(instanceKey(inst)) ?? []), ...readings]);
    }
  }
}

/**
 * Every processed delivery on the topic at every instance of a subscriber (its ledger, system-under-test/API.md),
 * with each instance's receivedAt moved onto the harness clock by that instance's measured offset (left as
 * stamped while draining, when only the event ids matter and no offset is known yet).
 */
async function ledgerEntries(d: Deployment, appId: string, offsets: Map<string, ClockOffset>): Promise<DeliveredEntry[]> {
  const entries: DeliveredEntry[] = [];
  for (const inst of instancesOf(d, appId)) {
    const res = await fetch(`${inst.appUrl}/ledger?topic=${encodeURIComponent(TOPIC)}&limit=1000000`, {
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await res.json()) as { entries: DeliveredEntry[]; evicted: number };
    if (body.evicted > 0) throw new Error(`${appId}'s ledger evicted ${body.evicted} entries: lower --rate or --duration`);
    const offset = offsets.get(instanceKey(inst));
    for (const e of body.entries)
      entries.push({
        eventId: e.eventId,
        receivedAt: offset ? remoteStampToLocal(e.receivedAt, offset) : e.receivedAt,
        duplicate: e.duplicate,
      });
  }
  return entries;
}

/** One line that says whether the subscribers kept up, are behind (backlog) or stopped receiving (lost). */
export function drainSummary(drain: DrainOutcome, acknowledged: number): string {
  const seconds = (drain.elapsedMs / 1000).toFixed(1);
  const parts = drain.subscribers.map((x) => {
    if (x.missing === 0)
      return `${x.subscriber} complete${x.drainedAfterMs !== undefined ? ` (${x.missingAtStart} behind at the last publish, caught up after ${(x.drainedAfterMs / 1000).toFixed(1)} s)` : ''}`;
    const lost =
      x.lost > 0
        ? `LOST ${x.lost} of ${acknowledged} (nothing received for ${STALL_MS / 1000} s, nothing more held for it by the broker)`
        : '';
    if (x.backlog === 0) return `${x.subscriber} ${lost}`;
    return `${x.subscriber} BACKLOG ${x.backlog} of ${acknowledged} still queued (overload or a paused subscriber, not loss)${lost ? ` · ${lost}` : ''}`;
  });
  return `pubsub drain ended (${drain.endedBy}) after ${seconds} s: ${parts.join(' · ')}`;
}

function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;
}

async function resetLedger(d: Deployment, appId: string): Promise<void> {
  for (const inst of d.apps.filter((a) => a.appId === appId))
    if (inst.appUrl) await fetch(`${inst.appUrl}/ledger`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
}

/**
 * Publishes at the asked rate with unique ids, then — after a drain period — reconciles what the broker
 * acknowledged with what every subscriber processed: delivery rate, lost, duplicates, late, and end-to-end
 * latency per subscriber, from the publish's intended time (coordinated-omission corrected) and from its actual
 * send. The subscribers' clocks are measured against the harness's (NTP-style, before and after) and their
 * stamps corrected by it; a delivery that still precedes its send is counted, never clamped.
 */
export const pubsubScenario: Scenario = {
  name: 'pubsub',
  description: `publish to ${TOPIC} through ${PUBLISHER}'s sidecar; reconcile with every subscriber's ledger`,
  async run(ctx: ScenarioContext): Promise<void> {
    const { deployment: d, settings: s } = ctx;
    const subscribers = await subscribersOf(d, TOPIC);
    if (subscribers.length === 0) throw new Error(`no app subscribes to ${TOPIC} on ${PUBSUB}: nothing to measure delivery against`);
    for (const appId of subscribers) await resetLedger(d, appId);
    const clockReadings = new Map<string, ClockReading[]>();
    await readLedgerClocks(d, subscribers, clockReadings);
    // Unique per scenario run: events of an earlier run against the same deployment (a capacity step) never match.
    const log = new PublishLog(`load-${ctx.results.runId}-${Date.now().toString(36)}`);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(d.apiToken ? { 'dapr-api-token': d.apiToken } : {}) };
    // Sampled through the drain: the subscribers' work for these events goes on after the last publish.
    const sampling = startResourceSampling(d);
    const result = await runLoad({
      allowNonLoopback: ctx.deployment.inClusterSidecars === true,
      url: d.sidecar(PUBLISHER).httpUrl,
      model: { kind: 'open', ratePerSecond: s.ratePerSecond },
      durationMs: s.durationMs,
      warmupMs: s.warmupMs,
      connections: s.connections,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress.update(progressLine('pubsub publish', p)),
      request: (i, timing) => {
        const { eventId, publishedAt } = log.stamp(i, timing);
        return {
          method: 'POST',
          path: `/v1.0/publish/${PUBSUB}/${TOPIC}`,
          headers,
          body: JSON.stringify({ eventId, publishedAt, load: true }),
        };
      },
      // Only what the broker acknowledged counts as published.
      onOutcome: (i, o) => log.settle(i, o.status, o.measured),
    }).catch(async (err: unknown) => {
      await sampling.stop(0, 'event');
      throw err;
    });
    ctx.progress.log(`pubsub publish (${PUBLISHER}'s sidecar → ${PUBSUB}/${TOPIC}):\n${formatResult(result)}`);
    ctx.results.metrics.push(...toMetricSamples('pubsub.publish', result));
    const published = log.acknowledged;
    const publishSuccess = log.successRate(result.totals.dropped + result.warmup.dropped);
    ctx.results.metrics.push(log.successMetric(result.totals.dropped + result.warmup.dropped));

    // Drain: wait for the subscribers (only the event ids matter here, so the clocks are read again, and the stamps
    // corrected, once it is over), then tell what is still queued (backlog) from what stopped coming (lost).
    const noOffsets = new Map<string, ClockOffset>();
    const held = brokerHeld(d, TOPIC);
    const drain = await drainDeliveries(subscribers, published.size, s.drain, {
      deliveredCount: async (a) =>
        new Set((await ledgerEntries(d, a, noOffsets)).map((e) => e.eventId).filter((id) => published.has(id))).size,
      signal: ctx.signal,
      ...(held ? { held } : {}),
      onPoll: (missing) => ctx.progress.update(`pubsub drain · missing ${missing.join('/')} of ${published.size} per subscriber`),
    });
    ctx.progress.log(drainSummary(drain, published.size));
    const { resources, cost, problem } = await sampling.stop(published.size, 'event');
    await readLedgerClocks(d, subscribers, clockReadings);
    const offsets = new Map([...clockReadings].map(([key, readings]) => [key, offsetFromReadings(readings)] as const));

    const histograms: Record<string, { le: number; count: number }[]> = {};
    const rows: string[] = [];
    for (const appId of subscribers) {
      const instances = instancesOf(d, appId);
      const clockNotes: string[] = [];
      for (const inst of instances) {
        const offset = offsets.get(instanceKey(inst)) as ClockOffset;
        const tags: Record<string, string> =
          instances.length > 1 ? { subscriber: appId, instance: String(inst.instance) } : { subscriber: appId };
        ctx.results.metrics.push(...clockOffsetMetrics('pubsub', tags, offset));
        clockNotes.push(`${signedMs(offset.offsetMs)} ± ${offset.uncertaintyMs.toFixed(2)} ms`);
      }
      const drained = drain.subscribers.find((x) => x.subscriber === appId);
      const r = reconcile(appId, published, await ledgerEntries(d, appId, offsets), s.lateAfterMs, drained?.backlog ?? 0);
      ctx.results.metrics.push(...reconciliationMetrics(r));
      if (drained?.drainedAfterMs !== undefined)
        ctx.results.metrics.push({
          name: 'pubsub.backlog_drain_time',
          kind: 'gauge',
          tags: { subscriber: appId },
          value: drained.drainedAfterMs,
          unit: 'ms',
        });
      histograms[`e2e ${appId}`] = r.histogram;
      rows.push(
        `  ${appId.padEnd(22)} delivered ${r.delivered}/${r.acknowledged} (${((r.delivered / Math.max(1, r.acknowledged)) * 100).toFixed(3)} %) · backlog ${r.backlog} · lost ${r.lost} · duplicates ${r.duplicates} · late ${r.late}` +
          ` · e2e from intended send p50 ${r.latencyMs?.p50 ?? '-'} ms p99 ${r.latencyMs?.p99 ?? '-'} ms · from actual send p50 ${r.latencyUncorrectedMs?.p50 ?? '-'} ms p99 ${r.latencyUncorrectedMs?.p99 ?? '-'} ms` +
          ` · clock offset ${clockNotes.join(', ')} · negative latencies ${r.negativeLatencies}`,
      );
    }
    ctx.progress.log(
      `pubsub publishes acknowledged: ${publishSuccess.passes}/${publishSuccess.attempted} (${(publishSuccess.rate * 100).toFixed(3)} %, warm-up included)`,
    );
    ctx.progress.log(
      `pubsub delivery per subscriber (over acknowledged publishes; clock offset = subscriber minus harness):\n${rows.join('\n')}`,
    );
    const scenario = toScenarioResult('pubsub', result, {
      topic: TOPIC,
      subscribers: subscribers.join(','),
      acknowledged: published.size,
      attempted: publishSuccess.attempted,
      drain: s.drain.kind === 'window' ? `${s.drain.windowMs}ms` : `until-empty (max ${s.drain.maxMs}ms)`,
      drainEndedBy: drain.endedBy,
      drainElapsedMs: drain.elapsedMs,
      lateAfterMs: s.lateAfterMs,
    });
    scenario.histograms = { ...(scenario.histograms ?? {}), ...histograms };
    scenario.resources = resources;
    recordCost(ctx, scenario, cost, problem);
    ctx.results.scenarios.push(scenario);
    ctx.save();
  },
};
