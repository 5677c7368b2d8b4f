import { expect } from 'chai';
import { deployment, measure, recordChaos } from '../../harness/suites/suite-context';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { DependencyControl } from '../../harness/targets/deployment';
import { eventually, http, uniqueId } from '../support/http';
import { APPS, appUrlOf, invoke, ledgerOf, resetLedgers } from '../support/sut';

const SUBSCRIBER = APPS.analytics;

function control(kind: 'app' | 'sidecar', appId: string): DependencyControl | undefined {
  return deployment().processControls?.find((c) => c.kind === kind && c.address === appId);
}

async function createTask(): Promise<string> {
  const res = await invoke<{ eventId: string }>(APPS.sample, APPS.tasks, 'tasks', { method: 'POST', json: { title: uniqueId('restart') } });
  expect(res.status, res.text).to.equal(201);
  return res.body.eventId;
}

describe('chaos: an app crash and a sidecar restart', () => {
  afterEach(async function () {
    this.timeout(60_000);
    for (const c of deployment().processControls ?? []) if (c.running === false) await c.start();
  });

  it('an event published while its subscriber is crashed is processed once the app is back', async function () {
    this.timeout(120_000);
    const app = control('app', SUBSCRIBER);
    if (!app) this.skip();
    await resetLedgers([SUBSCRIBER]);
    const crash = await http(`${appUrlOf(SUBSCRIBER)}/faults/crash`, { method: 'POST' });
    expect(crash.status).to.equal(202);
    await eventually(`${SUBSCRIBER} to exit`, async () => (app?.running === false ? true : undefined), { timeoutMs: 10_000 });
    const eventId = await createTask();
    await sleep(1000);
    const restarted = Date.now();
    await app?.start();
    const delivered = await eventually(`delivery of ${eventId} after ${SUBSCRIBER} restarted`, async () => {
      const ledger = await ledgerOf(SUBSCRIBER, { eventId });
      return ledger.total > 0 ? ledger : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
    const ms = Date.now() - restarted;
    recordChaos({ probe: 'subscriber crash: delivery resumes after restart', target: `pubsub → ${SUBSCRIBER}`, expected: { delivered: 1 }, observed: { delivered: delivered?.total ?? 0, msAfterRestart: ms }, passed: delivered?.total === 1 });
    measure(this, 'msAfterRestart', ms);
    expect(delivered?.total, `${eventId} published during the crash`).to.equal(1);
  });

  it('calls fail while a sidecar is down and succeed after it restarts; its subscriptions resume', async function () {
    this.timeout(120_000);
    const sidecar = control('sidecar', SUBSCRIBER);
    if (!sidecar) this.skip();
    await resetLedgers([SUBSCRIBER]);
    await sidecar?.stop();
    const started = Date.now();
    const during = await invoke(APPS.sample, SUBSCRIBER, 'healthz', { timeoutMs: 60_000 }).catch(() => undefined);
    const failedAfter = Date.now() - started;
    const duringGap = await createTask();
    await sidecar?.start();
    const recovery = Date.now();
    await eventually(`invocation of ${SUBSCRIBER} after its sidecar restarted`, async () => ((await invoke(APPS.sample, SUBSCRIBER, 'healthz')).status === 200 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500 });
    const recoveredMs = Date.now() - recovery;
    const afterRestart = await createTask();
    const resumed = await eventually(`delivery to ${SUBSCRIBER} after its sidecar restarted`, async () => ((await ledgerOf(SUBSCRIBER, { eventId: afterRestart })).total > 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500 }).catch(() => false);
    const gapDelivered = (await ledgerOf(SUBSCRIBER, { eventId: duringGap })).total;
    const passed = (during?.status ?? 0) >= 500 && resumed === true;
    recordChaos({
      probe: 'sidecar restart: calls fail during the gap, recover, subscriptions resume',
      target: `${APPS.sample} → ${SUBSCRIBER}`,
      expected: { callDuringGap: '5xx', recovers: 'yes', subscriptionResumes: 'yes' },
      observed: { callDuringGap: during?.status ?? 'no answer', failedAfterMs: failedAfter, recoveredMs, subscriptionResumes: resumed === true ? 'yes' : 'no', publishedDuringGapDelivered: gapDelivered },
      passed,
    });
    measure(this, 'recoveredMs', recoveredMs);
    measure(this, 'publishedDuringGapDelivered', gapDelivered);
    expect(during?.status, 'a call while the callee\'s sidecar is down').to.be.at.least(500);
    expect(resumed, 'events published after the restart arrive').to.equal(true);
  });
});
