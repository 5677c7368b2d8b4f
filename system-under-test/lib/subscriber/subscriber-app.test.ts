import { expect } from 'chai';
import { createAnalyticsApp } from '../../services/analytics-service/app';
import { createAuditApp } from '../../services/audit-service/app';
import { createNotificationApp } from '../../services/notification-service/app';
import { call, quietLogs, serve, type Served } from '../../../test/support/sut-apps/serve';

interface LedgerBody {
  total: number;
  unique: number;
  duplicates: number;
  faulted: number;
  entries: { eventId: string; topic: string; attempt: number; duplicate: boolean; redelivered: boolean }[];
}

function cloudEvent(eventId: string, topic = 'task.created'): Record<string, unknown> {
  return {
    id: `ce-${eventId}`,
    specversion: '1.0',
    source: 'task-service',
    type: 'com.dapr.event.sent',
    datacontenttype: 'application/json',
    topic,
    pubsubname: 'pubsub',
    data: { eventId, publishedAt: 1, task: {} },
  };
}

async function deliver(url: string, topic: string, body: unknown): Promise<{ status: number; body: { status?: string } }> {
  const res = await fetch(`${url}/events/${topic}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: (await res.json()) as { status?: string } };
}

describe('subscriber services', () => {
  const quiet = quietLogs();
  before(quiet.before);
  after(quiet.after);

  describe('audit-service', () => {
    let served: Served;
    beforeEach(async () => {
      served = await serve(createAuditApp());
    });
    afterEach(async () => {
      await served.close();
    });

    it('lists its programmatic subscriptions, task.created with its dead-letter topic', async () => {
      const res = await call<{ topic: string; deadLetterTopic?: string; routes: { default: string }; metadata?: Record<string, string> }[]>(
        `${served.url}/dapr/subscribe`,
      );
      expect(res.body.map((s) => s.topic)).to.deep.equal(['task.created', 'task.updated', 'task.deadletter', 'harness.raw']);
      expect(res.body[0]).to.deep.include({ deadLetterTopic: 'task.deadletter', routes: { default: '/events/task.created' } });
      expect(res.body[3]?.metadata).to.deep.equal({ rawPayload: 'true' });
    });

    it('records a delivery and answers SUCCESS; a second delivery is a duplicate', async () => {
      expect((await deliver(served.url, 'task.created', cloudEvent('e1'))).body).to.deep.equal({ status: 'SUCCESS' });
      await deliver(served.url, 'task.created', cloudEvent('e1'));
      const ledger = await call<LedgerBody>(`${served.url}/ledger?eventId=e1`);
      expect(ledger.body).to.deep.include({ total: 2, unique: 1, duplicates: 1 });
      expect(ledger.body.entries.map((e) => [e.attempt, e.duplicate])).to.deep.equal([
        [1, false],
        [2, true],
      ]);
      const detail = await call<Record<string, unknown>>(`${served.url}/ledger/events/e1`);
      expect(detail.body).to.include({ id: 'ce-e1', source: 'task-service', specversion: '1.0', topic: 'task.created' });
    });

    it('records dead letters under the dead-letter topic', async () => {
      await deliver(served.url, 'task.deadletter', cloudEvent('e2', 'task.created'));
      const ledger = await call<LedgerBody>(`${served.url}/ledger?topic=task.deadletter`);
      expect(ledger.body.entries.map((e) => [e.eventId, e.topic])).to.deep.equal([['e2', 'task.deadletter']]);
    });

    it('answers RETRY as a pub/sub fault says, without recording, then processes the redelivery', async () => {
      await call(`${served.url}/faults/pubsub`, { json: { topic: 'task.created', mode: 'RETRY', count: 1 } });
      expect((await deliver(served.url, 'task.created', cloudEvent('e3'))).body).to.deep.equal({ status: 'RETRY' });
      expect((await deliver(served.url, 'task.updated', cloudEvent('e4', 'task.updated'))).body, 'other topics unaffected').to.deep.equal({
        status: 'SUCCESS',
      });
      expect((await deliver(served.url, 'task.created', cloudEvent('e3'))).body).to.deep.equal({ status: 'SUCCESS' });
      const ledger = await call<LedgerBody>(`${served.url}/ledger?eventId=e3`);
      expect(ledger.body).to.deep.include({ total: 1, faulted: 1, duplicates: 0 });
      expect(ledger.body.entries[0]).to.include({ attempt: 2, redelivered: true, duplicate: false });
    });

    it('answers a bulk delivery entry by entry, records each event, and applies a fault to the entries it covers', async () => {
      await call(`${served.url}/faults/pubsub`, { json: { topic: 'task.created', mode: 'RETRY', count: 1 } });
      const bulk = {
        id: 'bulk-1',
        pubsubname: 'pubsub',
        topic: 'task.created',
        type: 'com.dapr.event.sent.bulk',
        metadata: {},
        entries: ['b1', 'b2', 'b3'].map((id) => ({
          entryId: `entry-${id}`,
          event: cloudEvent(id),
          contentType: 'application/cloudevents+json',
        })),
      };
      const res = await fetch(`${served.url}/events/task.created`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bulk),
      });
      expect(await res.json()).to.deep.equal({
        statuses: [
          { entryId: 'entry-b1', status: 'RETRY' },
          { entryId: 'entry-b2', status: 'SUCCESS' },
          { entryId: 'entry-b3', status: 'SUCCESS' },
        ],
      });
      const ledger = await call<LedgerBody>(`${served.url}/ledger?topic=task.created`);
      expect(ledger.body.entries.map((e) => e.eventId)).to.deep.equal(['b2', 'b3']);
    });

    it('DROP faults answer DROP', async () => {
      await call(`${served.url}/faults/pubsub`, { json: { mode: 'DROP', count: 1 } });
      expect((await deliver(served.url, 'task.updated', cloudEvent('e5', 'task.updated'))).body).to.deep.equal({ status: 'DROP' });
      expect((await call<LedgerBody>(`${served.url}/ledger`)).body.total).to.equal(0);
    });

    it('accepts a raw JSON payload without a CloudEvent envelope', async () => {
      const res = await fetch(`${served.url}/events/harness.raw`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: '{"eventId":"raw-9"}',
      });
      expect(await res.json()).to.deep.equal({ status: 'SUCCESS' });
      const ledger = await call<LedgerBody>(`${served.url}/ledger?topic=harness.raw`);
      expect(ledger.body.entries.map((e) => e.eventId)).to.deep.equal(['raw-9']);
    });

    it('drops a delivery it cannot identify instead of having it retried forever', async () => {
      expect((await deliver(served.url, 'task.created', { hello: 'world' })).body).to.deep.equal({ status: 'DROP' });
      expect((await call<LedgerBody>(`${served.url}/ledger`)).body.total).to.equal(0);
    });

    it('refuses a topic it does not subscribe to with 404 (Dapr does not retry a 404)', async () => {
      const res = await deliver(served.url, 'task.other', cloudEvent('e6', 'task.other'));
      expect(res.status).to.equal(404);
    });

    it('DELETE /ledger resets it; an unknown event is 404; a bad limit is 400', async () => {
      await deliver(served.url, 'task.created', cloudEvent('e7'));
      expect((await call<{ cleared: number }>(`${served.url}/ledger`, { method: 'DELETE' })).body.cleared).to.equal(1);
      expect((await call<LedgerBody>(`${served.url}/ledger`)).body.total).to.equal(0);
      expect((await call(`${served.url}/ledger/events/e7`)).status).to.equal(404);
      expect((await call(`${served.url}/ledger?limit=-1`)).status).to.equal(400);
    });
  });

  describe('notification-service and analytics-service', () => {
    it('notification-service subscribes declaratively: /dapr/subscribe is empty, yet both topics are accepted', async () => {
      const served = await serve(createNotificationApp());
      try {
        expect((await call(`${served.url}/dapr/subscribe`)).body).to.deep.equal([]);
        expect((await deliver(served.url, 'task.created', cloudEvent('n1'))).status).to.equal(200);
        expect((await deliver(served.url, 'task.updated', cloudEvent('n2', 'task.updated'))).status).to.equal(200);
      } finally {
        await served.close();
      }
    });

    it('analytics-service takes task.created only', async () => {
      const served = await serve(createAnalyticsApp());
      try {
        const subs = await call<{ topic: string }[]>(`${served.url}/dapr/subscribe`);
        expect(subs.body.map((s) => s.topic)).to.deep.equal(['task.created']);
        expect((await deliver(served.url, 'task.updated', cloudEvent('a1', 'task.updated'))).status).to.equal(404);
      } finally {
        await served.close();
      }
    });
  });
});
