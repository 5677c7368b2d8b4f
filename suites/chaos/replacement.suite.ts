import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { poll } from '../../harness/process/wait/poll';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { EndedInstance, InstanceReplacement } from '../../harness/targets/deployment';
import { TASK_CREATED } from '../../system-under-test/lib/topics';
import { chaosProbe } from '../support/chaos-probe';
import { uniqueId } from '../support/http';
import { APPS, createTask, ledgerAtExitIn, ledgerOf, resetLedgers } from '../support/sut';

const SUBSCRIBER = APPS.analytics;
/** One task.created every 100 ms: enough events on each side of the replacement to see one lost. */
const PUBLISH_INTERVAL_MS = 100;
/** Publishing before the instance is ended, and after its replacement is ready. */
const STREAM_MARGIN_MS = 3_000;
/** A delivery in flight at the end is redelivered after the broker's ack wait; this bounds the wait for all of them. */
const SETTLE_TIMEOUT_MS = 90_000;

describe('chaos: a subscriber instance ended mid-stream and replaced', () => {
  let pending: InstanceReplacement | undefined;
  afterEach(async function () {
    this.timeout(180_000);
    // A probe that failed between end and replace must not leave the app without its instance.
    if (pending) await pending.replace();
    pending = undefined;
  });

  it('every acknowledged publish is processed by the old instance or its replacement; duplicates are counted', async function () {
    this.timeout(300_000);
    const replacement = deployment().instanceReplacements?.find((r) => r.appId === SUBSCRIBER);
    if (!replacement) return skipBecause(this, 'not-observable', `this target cannot end and replace an instance of ${SUBSCRIBER}`);
    await chaosProbe(
      {
        probe: 'subscriber instance replaced mid-stream: no acknowledged event lost',
        target: `${TASK_CREATED} → ${SUBSCRIBER} (${replacement.how})`,
      },
      async (record) => {
        await resetLedgers([SUBSCRIBER]);
        const acked: string[] = [];
        let refused = 0;
        let streaming = true;
        const stream = (async () => {
          while (streaming) {
            const sent = Date.now();
            try {
              acked.push(await createTask(uniqueId('replace')));
            } catch {
              refused++;
            }
            await sleep(Math.max(0, PUBLISH_INTERVAL_MS - (Date.now() - sent)));
          }
        })();
        let ended: EndedInstance;
        let readyMs: number;
        try {
          await sleep(STREAM_MARGIN_MS);
          pending = replacement;
          ended = await replacement.end();
          ({ readyMs } = await replacement.replace());
          pending = undefined;
          await sleep(STREAM_MARGIN_MS);
        } finally {
          streaming = false;
          await stream;
        }
        const old = ledgerAtExitIn(ended.appLog);
        record.equal('oldInstanceLedger', 'read', old ? 'read' : 'missing', `"ledger at exit" in the log of ${ended.instance}`);
        const oldCounts = countEvents(
          (old?.events ?? []).filter((e) => e.startsWith(`${TASK_CREATED}/`)).map((e) => e.slice(TASK_CREATED.length + 1)),
        );
        const tally = async (): Promise<{ lost: string[]; duplicates: number; byOld: number }> => {
          const now = countEvents((await ledgerOf(SUBSCRIBER, { topic: TASK_CREATED })).entries.map((e) => e.eventId));
          let duplicates = 0;
          let byOld = 0;
          const lost: string[] = [];
          for (const id of acked) {
            const n = (oldCounts.get(id) ?? 0) + (now.get(id) ?? 0);
            if (oldCounts.has(id)) byOld++;
            if (n === 0) lost.push(id);
            duplicates += Math.max(0, n - 1);
          }
          return { lost, duplicates, byOld };
        };
        const settledAt = Date.now();
        const final = await poll(
          'every acknowledged event to be processed',
          async () => {
            const t = await tally();
            return t.lost.length === 0 ? t : undefined;
          },
          { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 1000 },
        ).catch(() => tally());
        record.equal('lost', 0, final.lost.length, final.lost.length ? `never processed: ${final.lost.slice(0, 5).join(', ')}` : '');
        record.observe('published', acked.length);
        record.observe('publishRefused', refused);
        record.observe('processedByOldInstance', final.byOld);
        record.observe('duplicates', final.duplicates);
        record.observe('goneMs', ended.goneMs);
        record.observe('replacedReadyMs', readyMs);
        record.observe('settleMs', Date.now() - settledAt);
        // Mid-stream means the old instance had processed part of the stream: otherwise nothing crossed the replacement.
        record.equal('oldInstanceProcessedSome', 'yes', final.byOld > 0 ? 'yes' : 'no', `of ${acked.length} acknowledged publishes`);
        measure(this, 'duplicates', final.duplicates);
        measure(this, 'replacedReadyMs', readyMs);
      },
    );
  });
});

function countEvents(ids: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
