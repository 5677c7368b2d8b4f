import { runLoad, formatResult, toMetricSamples, toScenarioResult } from '../driver';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { Deployment } from '../../harness/targets/deployment';
import { reconcile, reconciliationMetrics, type DeliveredEntry, type PublisherRecord } from './delivery-reconciliation';
import { progressLine, withResourceSampling, type Scenario, type ScenarioContext } from './scenario';

const PUBLISHER = 'task-service';
const PUBSUB = 'pubsub';
const TOPIC = 'task.created';

/** App ids whose sidecars subscribe to the topic, from their metadata (declarative and programmatic alike). */
async function subscribersOf(d: Deployment, topic: string): Promise<string[]> {
  const out: string[] = [];
  for (const appId of new Set(d.apps.map((a) => a.appId))) {
    const res = await fetch(`${d.sidecar(appId).httpUrl}/v1.0/metadata`, { headers: d.apiToken ? { 'dapr-api-token': d.apiToken } : {}, signal: AbortSignal.timeout(5000) });
    const meta = (await res.json()) as { subscriptions?: { pubsubname: string; topic: string }[] };
    if (meta.subscriptions?.some((s) => s.pubsubname === PUBSUB && s.topic === topic)) out.push(appId);
  }
  return out;
}

/** Every processed delivery on the topic at every instance of a subscriber (its ledger, system-under-test/API.md). */
async function ledgerEntries(d: Deployment, appId: string): Promise<DeliveredEntry[]> {
  const entries: DeliveredEntry[] = [];
  for (const inst of d.apps.filter((a) => a.appId === appId)) {
    if (!inst.appUrl) throw new Error(`reconciling deliveries needs ${appId}'s ledger, and the target does not expose its address`);
    const res = await fetch(`${inst.appUrl}/ledger?topic=${encodeURIComponent(TOPIC)}&limit=1000000`, { signal: AbortSignal.timeout(60_000) });
    const body = (await res.json()) as { entries: DeliveredEntry[]; evicted: number };
    if (body.evicted > 0) throw new Error(`${appId}'s ledger evicted ${body.evicted} entries: lower --rate or --duration`);
    entries.push(...body.entries);
  }
  return entries;
}

async function resetLedger(d: Deployment, appId: string): Promise<void> {
  for (const inst of d.apps.filter((a) => a.appId === appId)) if (inst.appUrl) await fetch(`${inst.appUrl}/ledger`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) });
}

/**
 * Publishes at the asked rate with unique ids and timestamps, then — after a drain period — reconciles what the
 * broker acknowledged with what every subscriber processed: delivery rate, lost, duplicates, late, and
 * end-to-end latency per subscriber.
 */
export const pubsubScenario: Scenario = {
  name: 'pubsub',
  description: `publish to ${TOPIC} through ${PUBLISHER}'s sidecar; reconcile with every subscriber's ledger`,
  async run(ctx: ScenarioContext): Promise<void> {
    const { deployment: d, settings: s } = ctx;
    const subscribers = await subscribersOf(d, TOPIC);
    if (subscribers.length === 0) throw new Error(`no app subscribes to ${TOPIC} on ${PUBSUB}: nothing to measure delivery against`);
    for (const appId of subscribers) await resetLedger(d, appId);
    const prefix = `load-${ctx.results.runId}`;
    const sentAt = new Map<number, number>();
    const published: PublisherRecord = new Map();
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(d.apiToken ? { 'dapr-api-token': d.apiToken } : {}) };
    const { value: result, resources } = await withResourceSampling(d, () =>
      runLoad({
        url: d.sidecar(PUBLISHER).httpUrl,
        model: { kind: 'open', ratePerSecond: s.ratePerSecond },
        durationMs: s.durationMs,
        warmupMs: s.warmupMs,
        connections: s.connections,
        signal: ctx.signal,
        onProgress: (p) => ctx.progress.update(progressLine('pubsub publish', p)),
        request: (i) => {
          const publishedAt = Date.now();
          sentAt.set(i, publishedAt);
          return { method: 'POST', path: `/v1.0/publish/${PUBSUB}/${TOPIC}`, headers, body: JSON.stringify({ eventId: `${prefix}-${i}`, publishedAt, load: true }) };
        },
        // Only what the broker acknowledged counts as published.
        onOutcome: (i, o) => {
          if (o.status !== undefined && o.status >= 200 && o.status < 300) published.set(`${prefix}-${i}`, sentAt.get(i) as number);
          sentAt.delete(i);
        },
      }),
    );
    ctx.progress.log(`pubsub publish (${PUBLISHER}'s sidecar → ${PUBSUB}/${TOPIC}):\n${formatResult(result)}`);
    ctx.results.metrics.push(...toMetricSamples('pubsub.publish', result));

    // Drain: wait until every subscriber has every acknowledged event, or the drain period is over.
    const deadline = Date.now() + s.drainMs;
    let entries = new Map<string, DeliveredEntry[]>();
    for (;;) {
      entries = new Map(await Promise.all(subscribers.map(async (a) => [a, await ledgerEntries(d, a)] as const)));
      const missing = subscribers.map((a) => published.size - new Set((entries.get(a) ?? []).map((e) => e.eventId).filter((id) => published.has(id))).size);
      ctx.progress.update(`pubsub drain · missing ${missing.join('/')} of ${published.size} per subscriber`);
      if (missing.every((m) => m === 0) || Date.now() >= deadline || ctx.signal.aborted) break;
      await sleep(1000);
    }
    const histograms: Record<string, { le: number; count: number }[]> = {};
    const rows: string[] = [];
    for (const appId of subscribers) {
      const r = reconcile(appId, published, entries.get(appId) ?? [], s.lateAfterMs);
      ctx.results.metrics.push(...reconciliationMetrics(r));
      histograms[`e2e ${appId}`] = r.histogram;
      rows.push(`  ${appId.padEnd(22)} delivered ${r.delivered}/${r.acknowledged} (${((r.delivered / Math.max(1, r.acknowledged)) * 100).toFixed(3)} %) · lost ${r.lost} · duplicates ${r.duplicates} · late ${r.late} · e2e p50 ${r.latencyMs?.p50 ?? '-'} ms p99 ${r.latencyMs?.p99 ?? '-'} ms`);
    }
    ctx.progress.log(`pubsub delivery per subscriber:\n${rows.join('\n')}`);
    const scenario = toScenarioResult('pubsub', result, { topic: TOPIC, subscribers: subscribers.join(','), acknowledged: published.size, drainMs: s.drainMs, lateAfterMs: s.lateAfterMs });
    scenario.histograms = { ...(scenario.histograms ?? {}), ...histograms };
    scenario.resources = resources;
    ctx.results.scenarios.push(scenario);
    ctx.save();
  },
};
