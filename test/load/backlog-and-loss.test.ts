import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { silentProgress, type Progress } from '../../harness/console/progress';
import { poll } from '../../harness/process/wait/poll';
import type { MetricSample } from '../../harness/results/results-model';
import { emptyResults } from '../../harness/results/results-store';
import { startLocalDeployment, type LocalDeployment } from '../../harness/targets/local/local-target';
import { pubsubScenario } from '../../load/scenarios/pubsub-scenario';
import { LOAD_DEFAULTS, type LoadSettings } from '../../load/scenarios/scenario';
import { tempRunRoot } from '../support/fixtures';

const SUBSCRIBER = 'audit-service';
const SIDECAR = `${SUBSCRIBER}-daprd`;
/** Short, and `until-empty`: the drain waits for the others, and gives up on the silent subscriber after its patience. */
const SETTINGS: LoadSettings = {
  ...LOAD_DEFAULTS,
  ratePerSecond: 40,
  durationMs: 3_000,
  warmupMs: 0,
  connections: 4,
  drain: { kind: 'until-empty', maxMs: 90_000 },
};

function metric(metrics: MetricSample[], name: string, subscriber: string): MetricSample {
  const found = metrics.find((m) => m.name === name && m.tags.subscriber === subscriber);
  if (!found) throw new Error(`no ${name} for ${subscriber}`);
  return found;
}

/**
 * Overload is not loss, against a real deployment: a subscriber whose sidecar is paused (SIGSTOP) while events are
 * published has them still held by JetStream when the drain gives up on it — backlog; one whose sidecar is killed
 * has nothing held for it any more — lost. Its own deployment: the second test kills a sidecar for good.
 */
describe('pub/sub load: a paused subscriber is backlog, a killed one is loss', function () {
  this.timeout(300_000);
  let d: LocalDeployment;
  let runRoot: string;
  let paused: number | undefined;

  before(async function () {
    this.timeout(240_000);
    runRoot = tempRunRoot();
    d = await startLocalDeployment({ runRoot });
  });
  after(async function () {
    this.timeout(120_000);
    if (paused) process.kill(paused, 'SIGCONT');
    await d?.stop();
    rmSync(runRoot, { recursive: true, force: true });
  });

  function sidecarPid(): number {
    const pid = d.processes().find((p) => p.name === SIDECAR)?.pid;
    if (!pid)
      throw new Error(
        `no running ${SIDECAR} in ${d
          .processes()
          .map((p) => p.name)
          .join(', ')}`,
      );
    return pid;
  }

  /** Runs the pub/sub scenario; `onPublish` once, when the first events have gone out (subscribers already known). */
  let logged: string[] = [];
  async function runPubsub(onPublish: () => void): Promise<MetricSample[]> {
    logged = [];
    const results = emptyResults({ runId: 'backlog', kind: 'load', target: { kind: 'local' } });
    let fired = false;
    const progress: Progress = {
      ...silentProgress,
      log: (m) => logged.push(m),
      update: (m) => {
        if (fired || !m.startsWith('pubsub publish')) return;
        fired = true;
        onPublish();
      },
    };
    await pubsubScenario.run({
      deployment: d,
      results,
      settings: SETTINGS,
      progress,
      signal: new AbortController().signal,
      save: () => {},
    });
    expect(fired, 'the publish phase reported progress').to.equal(true);
    return results.metrics;
  }

  it('reports the events a paused subscriber has not received as backlog, none lost, and names backlog in the verdict note', async () => {
    const pid = sidecarPid();
    let metrics: MetricSample[];
    try {
      metrics = await runPubsub(() => {
        process.kill(pid, 'SIGSTOP');
        paused = pid;
      });
    } finally {
      if (paused) process.kill(paused, 'SIGCONT');
      paused = undefined;
    }
    const rate = metric(metrics, 'pubsub.delivery_rate', SUBSCRIBER);
    const backlog = metric(metrics, 'pubsub.backlog', SUBSCRIBER).count as number;
    const lost = metric(metrics, 'pubsub.lost', SUBSCRIBER).count as number;
    // Resumed, the sidecar delivers what the broker held for it: it was queued, not lost.
    const app = d.apps.find((a) => a.appId === SUBSCRIBER)?.appUrl as string;
    let unique = 0;
    await poll(
      `${SUBSCRIBER} to receive what it missed once its sidecar resumes`,
      async () => {
        unique = ((await (await fetch(`${app}/ledger?topic=task.created&limit=1`)).json()) as { unique: number }).unique;
        return unique >= (rate.passes as number) + backlog + lost;
      },
      { timeoutMs: 60_000 },
    ).catch(() => undefined);
    const why = `${logged.join('\n')}\nafter resuming: ${unique} unique`;
    expect(backlog, why).to.be.greaterThan(0);
    expect(lost, why).to.equal(0);
    expect(backlog, why).to.equal(rate.fails);
    expect(unique, why).to.equal((rate.passes as number) + backlog);
    expect(rate.note).to.match(/^BACKLOG: \d+ events still queued/);
    expect(rate.note).not.to.include('LOST');
    for (const other of ['notification-service', 'analytics-service'])
      expect(metric(metrics, 'pubsub.lost', other).count, other).to.equal(0);
  });

  it('reports the events a subscriber whose sidecar was killed never received as lost, not backlog', async () => {
    const pid = sidecarPid();
    const metrics = await runPubsub(() => process.kill(pid, 'SIGKILL'));
    const lost = metric(metrics, 'pubsub.lost', SUBSCRIBER).count as number;
    expect(lost, 'events the killed sidecar never delivered').to.be.greaterThan(0);
    expect(metric(metrics, 'pubsub.backlog', SUBSCRIBER).count).to.equal(0);
    expect(metric(metrics, 'pubsub.delivery_rate', SUBSCRIBER).note).to.match(/^LOST: \d+ events missing/);
    expect(d.processDeaths?.deaths().map((x) => x.name)).to.include(SIDECAR);
  });
});
