import { expect } from 'chai';
import type { LocalDeployment } from '../../harness/targets/local/local-target';
import { sharedDeployment } from '../support/shared-deployment';
import type { LedgerView } from '../../system-under-test/lib/ledger/delivery-ledger';
import { appUrl, clearFaults, clearLedgers, deleteTasks, json, sleep, SUBSCRIBERS, uniqueId, waitFor } from './sut-http';

type Ledger = LedgerView;

/** After an event first shows up, how long a duplicate would still have to appear (Dapr retries within seconds). */
const QUIET_MS = 1500;

describe('reference services: task events through the real daprd and JetStream', function () {
  this.timeout(180_000);
  let d: LocalDeployment;
  const taskIds: string[] = [];

  const ledger = async (appId: string, query: string): Promise<Ledger> => {
    const res = await json<Ledger>(`${appUrl(d, appId)}/ledger?${query}`);
    expect(res.status).to.equal(200);
    return res.body;
  };
  const delivered = (appId: string, eventId: string, topic?: string): Promise<Ledger> =>
    waitFor(`${eventId} at ${appId}`, async () => {
      const l = await ledger(appId, `eventId=${eventId}${topic ? `&topic=${topic}` : ''}`);
      return l.total > 0 ? l : undefined;
    });
  /** Creates a task the way a client would: through sample-app, its sidecar, and task-service's sidecar. */
  const createTask = async (title = uniqueId('task')): Promise<{ taskId: string; eventId: string }> => {
    const res = await json<{ task: { id: string }; eventId: string }>(`${appUrl(d, 'sample-app')}/call/task-service/tasks`, {
      body: { title },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    taskIds.push(res.body.task.id);
    return { taskId: res.body.task.id, eventId: res.body.eventId };
  };

  before(async () => {
    d = await sharedDeployment();
  });

  beforeEach(async () => {
    await clearLedgers(d);
  });

  afterEach(async () => {
    await clearFaults(d);
    await clearLedgers(d);
    await deleteTasks(d, taskIds);
  });

  it("a created task lands exactly once in every subscriber's ledger", async () => {
    const { taskId, eventId } = await createTask();
    for (const appId of SUBSCRIBERS) await delivered(appId, eventId);
    await sleep(QUIET_MS);
    for (const appId of SUBSCRIBERS) {
      const l = await ledger(appId, `eventId=${eventId}`);
      expect(l, appId).to.deep.include({ total: 1, unique: 1, duplicates: 0 });
      const [entry] = l.entries;
      expect(entry, appId).to.deep.include({ topic: 'task.created', attempt: 1, redelivered: false, duplicate: false });
      expect(entry?.cloudEventId, 'delivered as a CloudEvent').to.be.a('string');
      expect(entry?.receivedAt).to.be.at.least(entry?.publishedAt ?? Infinity);
    }
    const stored = await json<{ id: string; status: string }>(`${appUrl(d, 'task-service')}/tasks/${taskId}`);
    expect(stored.body).to.include({ id: taskId, status: 'open' });
  });

  it('keeps the CloudEvent attributes Dapr put on the delivery', async () => {
    const { eventId } = await createTask();
    await delivered('audit-service', eventId);
    const res = await json<Record<string, unknown>>(`${appUrl(d, 'audit-service')}/ledger/events/${eventId}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({
      eventId,
      source: 'task-service',
      type: 'com.dapr.event.sent',
      specversion: '1.0',
      datacontenttype: 'application/json',
      topic: 'task.created',
      pubsubname: 'pubsub',
    });
    expect(res.body.traceparent).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$/);
  });

  it('an update reaches notification-service and audit-service, and never analytics-service', async () => {
    const { taskId } = await createTask();
    const res = await json<{ task: { status: string }; eventId: string }>(`${appUrl(d, 'sample-app')}/call/task-service/tasks/${taskId}`, {
      method: 'PUT',
      body: { status: 'done' },
    });
    expect(res.status).to.equal(200);
    expect(res.body.task.status).to.equal('done');
    for (const appId of ['notification-service', 'audit-service']) {
      const l = await delivered(appId, res.body.eventId);
      expect(l.entries[0]?.topic).to.equal('task.updated');
    }
    await sleep(QUIET_MS);
    expect(
      (await ledger('analytics-service', `eventId=${res.body.eventId}`)).total,
      'analytics-service is not subscribed to task.updated',
    ).to.equal(0);
  });

  it('a bulk creation publishes every event once to every subscriber', async () => {
    const res = await json<{ eventIds: string[]; taskIds: string[] }>(`${appUrl(d, 'sample-app')}/call/task-service/tasks/bulk`, {
      body: { count: 10, titlePrefix: uniqueId('bulk') },
    });
    expect(res.status).to.equal(200);
    taskIds.push(...res.body.taskIds);
    expect(new Set(res.body.eventIds).size).to.equal(10);
    for (const appId of SUBSCRIBERS) {
      await waitFor(`10 bulk events at ${appId}`, async () => {
        const l = await ledger(appId, 'topic=task.created');
        return res.body.eventIds.every((id) => l.entries.some((e) => e.eventId === id)) ? true : undefined;
      });
    }
    await sleep(QUIET_MS);
    for (const appId of SUBSCRIBERS) {
      const l = await ledger(appId, 'topic=task.created');
      expect(l, appId).to.deep.include({ total: 10, unique: 10, duplicates: 0 });
    }
  });

  it('a RETRY answer makes Dapr deliver again: the event is recorded once, at the attempt that succeeded', async () => {
    const fault = await json(`${appUrl(d, 'analytics-service')}/faults/pubsub`, {
      body: { topic: 'task.created', mode: 'RETRY', count: 2 },
    });
    expect(fault.status).to.equal(200);
    const { eventId } = await createTask();
    const l = await delivered('analytics-service', eventId);
    await sleep(QUIET_MS);
    const after = await ledger('analytics-service', `eventId=${eventId}`);
    expect(after).to.deep.include({ total: 1, duplicates: 0, faulted: 2 });
    expect(l.entries[0]).to.deep.include({ attempt: 3, redelivered: true, duplicate: false });
  });

  it('a DROP answer loses the event for that subscriber only (negative)', async () => {
    await json(`${appUrl(d, 'notification-service')}/faults/pubsub`, { body: { topic: 'task.created', mode: 'DROP', count: 1 } });
    const { eventId } = await createTask();
    await delivered('analytics-service', eventId);
    await delivered('audit-service', eventId);
    await sleep(QUIET_MS);
    const l = await ledger('notification-service', `eventId=${eventId}`);
    expect(l.total, 'DROP is final: Dapr does not redeliver').to.equal(0);
    expect(l.faulted).to.equal(1);
  });

  it('a raw payload (no CloudEvent envelope) reaches a rawPayload subscription and is recorded by its eventId', async () => {
    const eventId = uniqueId('raw');
    const pub = await fetch(`${d.sidecar('sample-app').httpUrl}/v1.0/publish/pubsub/harness.raw?metadata.rawPayload=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dapr-api-token': d.apiToken ?? '' },
      body: JSON.stringify({ eventId, publishedAt: Date.now() }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(pub.status).to.equal(204);
    const l = await delivered('audit-service', eventId, 'harness.raw');
    expect(l.entries[0]?.topic).to.equal('harness.raw');
    const detail = await json<{ raw: boolean; datacontenttype: string }>(`${appUrl(d, 'audit-service')}/ledger/events/${eventId}`);
    expect(detail.body).to.include({ raw: true, datacontenttype: 'application/octet-stream' });
  });
});
