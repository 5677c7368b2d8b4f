import { expect } from 'chai';
import { parseDelivery, type Delivery } from './delivery';

function ok(body: unknown): Delivery {
  const parsed = parseDelivery(body);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.delivery;
}

const cloudEvent = {
  id: 'ce-1',
  source: 'task-service',
  type: 'com.dapr.event.sent',
  specversion: '1.0',
  datacontenttype: 'application/json',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  topic: 'task.created',
  pubsubname: 'pubsub',
  time: '2026-01-01T00:00:00Z',
};

describe('parseDelivery', () => {
  it("takes the eventId and publishedAt from a CloudEvent's data, and keeps its attributes", () => {
    const d = ok({ ...cloudEvent, data: { eventId: 'e-1', publishedAt: 1234, task: {} }, extra: 'ignored' });
    expect(d).to.deep.include({ eventId: 'e-1', cloudEventId: 'ce-1', publishedAt: 1234, raw: false });
    expect(d.cloudEvent).to.deep.equal(cloudEvent);
  });

  it('falls back to the CloudEvent id and time when the data has none', () => {
    const d = ok({ ...cloudEvent, data: { something: 1 } });
    expect(d.eventId).to.equal('ce-1');
    expect(d.publishedAt).to.equal(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('reads data_base64, which is how a rawPayload subscription receives the bytes', () => {
    const bytes = Buffer.from(JSON.stringify({ eventId: 'raw-1', publishedAt: 7 })).toString('base64');
    const d = ok({ id: 'ce-2', specversion: '1.0', datacontenttype: 'application/octet-stream', data_base64: bytes });
    expect(d).to.deep.include({ eventId: 'raw-1', cloudEventId: 'ce-2', publishedAt: 7, raw: true });
  });

  it('reads data sent as a JSON string', () => {
    expect(ok({ ...cloudEvent, data: JSON.stringify({ eventId: 'e-s' }) }).eventId).to.equal('e-s');
  });

  it('accepts plain JSON that is not a CloudEvent (a raw payload published to an ordinary subscription)', () => {
    const d = ok({ eventId: 'raw-2', publishedAt: 9, anything: true });
    expect(d).to.deep.equal({ eventId: 'raw-2', cloudEventId: null, publishedAt: 9, cloudEvent: null, raw: true });
  });

  it('accepts JSON bytes of another content type', () => {
    expect(ok(Buffer.from('{"eventId":"b-1"}')).eventId).to.equal('b-1');
  });

  it('refuses what it cannot identify', () => {
    expect(parseDelivery({ hello: 'world' })).to.deep.equal({ ok: false, problem: 'raw delivery has no eventId field' });
    expect(parseDelivery(Buffer.from('not json'))).to.deep.include({ ok: false });
    expect(parseDelivery([1, 2])).to.deep.include({ ok: false });
    expect(parseDelivery({ specversion: '1.0', data: {} })).to.deep.equal({
      ok: false,
      problem: 'CloudEvent has neither data.eventId nor id',
    });
  });
});
