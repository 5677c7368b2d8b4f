import { poll } from '../../harness/process/wait/poll';
import { expect } from 'chai';
import { measure } from '../../harness/suite-runner/suite-context';
import { chaosProbe } from '../support/chaos-probe';
import { faultDeliveries, retryDeliveryProbe, type DeliverySite } from '../support/delivery-probes';
import { uniqueId } from '../support/http';
import { APPS, invoke, ledgerOf, PUBSUB, resetFaults, resetLedgers } from '../support/sut';

async function createTask(): Promise<string> {
  const res = await invoke<{ eventId: string }>(APPS.sample, APPS.tasks, 'tasks', {
    method: 'POST',
    json: { title: uniqueId('chaos-pubsub') },
  });
  expect(res.status, res.text).to.equal(201);
  return res.body.eventId;
}

const analytics: DeliverySite = { subscriber: APPS.analytics, pubsub: PUBSUB, topic: 'task.created', publish: createTask };

describe('chaos: pub/sub deliveries under failure', () => {
  beforeEach(async () => {
    await resetFaults([APPS.analytics, APPS.audit]);
    await resetLedgers([APPS.analytics, APPS.audit]);
  });
  after(async () => {
    await resetFaults([APPS.analytics, APPS.audit]);
  });

  it('a subscriber that answers RETRY to N deliveries gets the message again, as its inbound policy says, and finally processes it', async function () {
    this.timeout(90_000);
    const result = await retryDeliveryProbe(analytics);
    measure(this, 'deliveries', result.observed.deliveries ?? -1);
    measure(this, 'msToProcess', result.observed.msToProcess ?? -1);
  });

  it('a subscriber that answers DROP sends the message to the dead-letter topic', async function () {
    this.timeout(60_000);
    await chaosProbe({ probe: 'DROP goes to the dead-letter topic', target: `${PUBSUB} → ${APPS.audit}` }, async (record) => {
      await faultDeliveries(APPS.audit, { topic: 'task.created', mode: 'DROP', count: 1 });
      const eventId = await createTask();
      const deadLettered = await poll(
        `${eventId} on task.deadletter`,
        async () => ((await ledgerOf(APPS.audit, { eventId, topic: 'task.deadletter' })).total > 0 ? 1 : undefined),
        { timeoutMs: 20_000, intervalMs: 250 },
      ).catch(() => 0);
      record.equal('deadLettered', 1, deadLettered);
      const redelivered = (await ledgerOf(APPS.audit, { eventId, topic: 'task.created' })).entries.filter(
        (e) => !e.duplicate && e.attempt > 1,
      ).length;
      record.equal('redeliveredOnTopic', 0, redelivered, 'a dropped message is not redelivered on its topic');
    });
  });
});
