import { expect } from 'chai';
import { measure, recordChaos } from '../../harness/suites/suite-context';
import { describeExpectation, expectedAttempts } from '../../harness/resiliency';
import { eventually, http, uniqueId } from '../support/http';
import { componentPolicy } from '../support/resiliency';
import { APPS, appUrlOf, invoke, ledgerOf, PUBSUB, resetFaults, resetLedgers } from '../support/sut';

async function faultDeliveries(appId: string, fault: { topic: string; mode: 'RETRY' | 'DROP'; count: number }): Promise<void> {
  const url = appUrlOf(appId);
  if (!url) throw new Error(`fault injection on ${appId} needs its app URL, which this target does not expose`);
  const res = await http(`${url}/faults/pubsub`, { method: 'POST', json: fault });
  expect(res.status, res.text).to.equal(200);
}

async function createTask(): Promise<string> {
  const res = await invoke<{ eventId: string }>(APPS.sample, APPS.tasks, 'tasks', { method: 'POST', json: { title: uniqueId('chaos-pubsub') } });
  expect(res.status, res.text).to.equal(201);
  return res.body.eventId;
}

describe('chaos: pub/sub deliveries under failure', () => {
  beforeEach(async () => {
    await resetFaults([APPS.analytics, APPS.audit]);
    await resetLedgers([APPS.analytics, APPS.audit]);
  });
  after(async () => {
    await resetFaults([APPS.analytics, APPS.audit]);
  });

  it('a subscriber that answers RETRY to N deliveries gets the message again and finally processes it', async function () {
    this.timeout(90_000);
    const failures = 2;
    const policy = componentPolicy(APPS.analytics, PUBSUB, 'inbound');
    const inSidecar = expectedAttempts(policy.retry, { failures });
    await faultDeliveries(APPS.analytics, { topic: 'task.created', mode: 'RETRY', count: failures });
    const eventId = await createTask();
    const started = Date.now();
    const processed = await eventually(`processing of ${eventId} after ${failures} RETRY answers`, async () => {
      const ledger = await ledgerOf(APPS.analytics, { eventId });
      return ledger.entries.find((e) => e.attempt > failures);
    }, { timeoutMs: 60_000, intervalMs: 250 });
    const ms = Date.now() - started;
    const passed = processed.attempt === failures + 1;
    recordChaos({
      probe: 'subscriber RETRY is redelivered and processed',
      target: `${PUBSUB} → ${APPS.analytics}`,
      policy: describeExpectation(policy),
      expected: { deliveries: failures + 1, retriedInSidecar: Math.min(inSidecar.max, failures + 1) },
      observed: { deliveries: processed.attempt, msToProcess: ms },
      passed,
    });
    measure(this, 'deliveries', processed.attempt);
    measure(this, 'msToProcess', ms);
    expect(processed.attempt, 'deliveries until processed').to.equal(failures + 1);
  });

  it('a subscriber that answers DROP sends the message to the dead-letter topic', async function () {
    this.timeout(60_000);
    await faultDeliveries(APPS.audit, { topic: 'task.created', mode: 'DROP', count: 1 });
    const eventId = await createTask();
    let found = false;
    try {
      await eventually(`${eventId} on task.deadletter`, async () => ((await ledgerOf(APPS.audit, { eventId, topic: 'task.deadletter' })).total > 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 250 });
      found = true;
    } finally {
      recordChaos({ probe: 'DROP goes to the dead-letter topic', target: `${PUBSUB} → ${APPS.audit}`, expected: { deadLettered: 1 }, observed: { deadLettered: found ? 1 : 0 }, passed: found });
    }
    const processedNormally = (await ledgerOf(APPS.audit, { eventId, topic: 'task.created' })).entries.filter((e) => !e.duplicate && e.attempt > 1);
    expect(processedNormally, 'a dropped message is not redelivered on its topic').to.deep.equal([]);
  });
});
