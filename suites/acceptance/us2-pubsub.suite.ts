import { poll } from '../../harness/process/wait/poll';
import { expect } from 'chai';
import { measure } from '../../harness/suite-runner/suite-context';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { http, uniqueId } from '../support/http';
import { APPS, appUrlOf, invoke, ledgerOf, PUBSUB, resetLedgers, sidecarUrl, SUBSCRIBERS, type Ledger } from '../support/sut';

const ALL_SUBSCRIBERS = [APPS.notification, APPS.audit, APPS.analytics];
/** Time after the first delivery in which a duplicate would show up (JetStream redelivers after ackWait). */
const QUIET_MS = 1500;

async function createTask(): Promise<{ id: string; eventId: string }> {
  const res = await invoke<{ task: { id: string }; eventId: string }>(APPS.sample, APPS.tasks, 'tasks', {
    method: 'POST',
    json: { title: uniqueId('task') },
  });
  expect(res.status, res.text).to.equal(201);
  return { id: res.body.task.id, eventId: res.body.eventId };
}

/** Waits until `appId` has recorded `eventId`, then returns its ledger for that event. */
function delivered(appId: string, eventId: string, timeoutMs = 10_000): Promise<Ledger> {
  return poll(
    `delivery of ${eventId} to ${appId}`,
    async () => {
      const ledger = await ledgerOf(appId, { eventId });
      return ledger.total > 0 ? ledger : undefined;
    },
    { timeoutMs },
  );
}

describe('US2 pub/sub: task events reach every subscriber', () => {
  beforeEach(async () => {
    await resetLedgers(ALL_SUBSCRIBERS);
  });

  it('a created task reaches every subscriber', async function () {
    const { eventId } = await createTask();
    for (const appId of SUBSCRIBERS['task.created']) {
      const ledger = await delivered(appId, eventId);
      const latency = (ledger.entries[0]?.receivedAt ?? 0) - (ledger.entries[0]?.publishedAt ?? 0);
      measure(this, `latencyMs.${appId}`, latency);
    }
  });

  it('no subscriber receives a created task twice within the observation window', async function () {
    const { eventId } = await createTask();
    for (const appId of SUBSCRIBERS['task.created']) await delivered(appId, eventId);
    await sleep(QUIET_MS);
    for (const appId of SUBSCRIBERS['task.created']) {
      const ledger = await ledgerOf(appId, { eventId });
      measure(this, `deliveries.${appId}`, ledger.total);
      expect(ledger.total, `${appId} received ${eventId} ${ledger.total} times`).to.equal(1);
      expect(ledger.duplicates).to.equal(0);
    }
  });

  it('an updated task notifies every service subscribed to updates, and no other', async () => {
    const task = await createTask();
    const res = await invoke<{ eventId: string }>(APPS.sample, APPS.tasks, `tasks/${task.id}`, { method: 'PUT', json: { status: 'done' } });
    expect(res.status, res.text).to.equal(200);
    for (const appId of SUBSCRIBERS['task.updated']) {
      const ledger = await delivered(appId, res.body.eventId);
      expect(ledger.entries[0]?.topic).to.equal('task.updated');
    }
    await sleep(QUIET_MS);
    expect(
      (await ledgerOf(APPS.analytics, { eventId: res.body.eventId })).total,
      'analytics-service does not subscribe to updates',
    ).to.equal(0);
  });

  it('the delivered CloudEvent carries id, source, type, specversion, datacontenttype and traceparent', async () => {
    const { eventId } = await createTask();
    await delivered(APPS.audit, eventId);
    const { status, body } = await http<Record<string, unknown>>(`${appUrlOf(APPS.audit)}/ledger/events/${eventId}`);
    expect(status).to.equal(200);
    expect(body.id).to.be.a('string').and.not.equal('');
    expect(body.source).to.equal(APPS.tasks);
    expect(body.type).to.equal('com.dapr.event.sent');
    expect(body.specversion).to.equal('1.0');
    expect(body.datacontenttype).to.equal('application/json');
    expect(body.traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/);
  });

  it('a raw payload (no CloudEvent envelope) published to the topic still reaches every subscriber', async () => {
    const eventId = uniqueId('raw');
    const res = await http(`${sidecarUrl(APPS.sample)}/v1.0/publish/${PUBSUB}/task.created?metadata.rawPayload=true`, {
      method: 'POST',
      json: { eventId, publishedAt: Date.now(), raw: true },
    });
    expect(res.status, res.text).to.equal(204);
    for (const appId of SUBSCRIBERS['task.created']) await delivered(appId, eventId);
  });

  it('a bulk publish of 20 tasks reaches every subscriber, each event exactly once', async function () {
    const res = await invoke<{ eventIds: string[] }>(APPS.sample, APPS.tasks, 'tasks/bulk', {
      method: 'POST',
      json: { count: 20, titlePrefix: uniqueId('bulk') },
    });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.eventIds).to.have.length(20);
    for (const appId of SUBSCRIBERS['task.created']) {
      await poll(
        `all 20 bulk events at ${appId}`,
        async () => {
          const ledger = await ledgerOf(appId, { topic: 'task.created' });
          const seen = new Set(ledger.entries.map((e) => e.eventId));
          return res.body.eventIds.every((id) => seen.has(id)) ? true : undefined;
        },
        { timeoutMs: 15_000 },
      );
    }
    await sleep(QUIET_MS);
    for (const appId of SUBSCRIBERS['task.created']) {
      const ledger = await ledgerOf(appId, { topic: 'task.created' });
      const ours = ledger.entries.filter((e) => res.body.eventIds.includes(e.eventId));
      expect(ours.length, `${appId}: deliveries of the 20 bulk events`).to.equal(20);
      measure(this, `delivered.${appId}`, ours.length);
    }
  });
});
