import { expect } from 'chai';
import { DeliveryLedger } from './delivery-ledger';
import type { Delivery } from './delivery';

function delivery(eventId: string, extra: Partial<Delivery> = {}): Delivery {
  return {
    eventId,
    cloudEventId: `ce-${eventId}`,
    publishedAt: 100,
    cloudEvent: { id: `ce-${eventId}`, source: 'task-service' },
    raw: false,
    ...extra,
  };
}

describe('DeliveryLedger', () => {
  let clock: number;
  const now = (): number => clock;
  beforeEach(() => {
    clock = 1000;
  });

  it('records a first delivery as attempt 1, neither redelivered nor duplicate', () => {
    const ledger = new DeliveryLedger(10, now);
    const entry = ledger.accept(delivery('a'), 'task.created');
    expect(entry).to.deep.equal({
      eventId: 'a',
      cloudEventId: 'ce-a',
      topic: 'task.created',
      publishedAt: 100,
      receivedAt: 1000,
      attempt: 1,
      redelivered: false,
      duplicate: false,
    });
    expect(ledger.query()).to.deep.include({ total: 1, unique: 1, duplicates: 0, evicted: 0, faulted: 0 });
  });

  it('counts a second delivery after SUCCESS as a duplicate', () => {
    const ledger = new DeliveryLedger(10, now);
    ledger.accept(delivery('a'), 't');
    const again = ledger.accept(delivery('a'), 't');
    expect(again).to.include({ attempt: 2, redelivered: true, duplicate: true });
    expect(ledger.query()).to.deep.include({ total: 2, unique: 1, duplicates: 1 });
  });

  it('a delivery refused with an injected fault is an attempt but not an entry, and its retry is not a duplicate', () => {
    const ledger = new DeliveryLedger(10, now);
    expect(ledger.refuse(delivery('a'), 't')).to.equal(1);
    expect(ledger.refuse(delivery('a'), 't')).to.equal(2);
    const entry = ledger.accept(delivery('a'), 't');
    expect(entry).to.include({ attempt: 3, redelivered: true, duplicate: false });
    expect(ledger.query()).to.deep.include({ total: 1, unique: 1, duplicates: 0, faulted: 2 });
  });

  it('counts the same eventId on another topic (a dead letter) as a first delivery there', () => {
    const ledger = new DeliveryLedger(10, now);
    ledger.accept(delivery('a'), 'task.created');
    expect(ledger.accept(delivery('a'), 'task.deadletter')).to.include({ attempt: 1, duplicate: false });
  });

  it('filters by topic and eventId; the counts cover the filter', () => {
    const ledger = new DeliveryLedger(10, now);
    ledger.accept(delivery('a'), 'x');
    ledger.accept(delivery('b'), 'x');
    ledger.accept(delivery('b'), 'x');
    ledger.accept(delivery('c'), 'y');
    expect(ledger.query({ topic: 'x' })).to.deep.include({ total: 3, unique: 2, duplicates: 1 });
    const b = ledger.query({ eventId: 'b' });
    expect(b.entries.map((e) => e.attempt)).to.deep.equal([1, 2]);
    expect(ledger.query({ topic: 'y', eventId: 'b' }).total).to.equal(0);
  });

  it('limit lists only the newest entries but still counts them all', () => {
    const ledger = new DeliveryLedger(10, now);
    for (const id of ['a', 'b', 'c']) ledger.accept(delivery(id), 't');
    const view = ledger.query({ limit: 2 });
    expect(view.total).to.equal(3);
    expect(view.entries.map((e) => e.eventId)).to.deep.equal(['b', 'c']);
    expect(ledger.query({ limit: 0 }).entries).to.deep.equal([]);
  });

  it('stays within its bound: the oldest entries are evicted and counted', () => {
    const ledger = new DeliveryLedger(3, now);
    for (const id of ['a', 'b', 'c', 'd', 'e']) ledger.accept(delivery(id), 't');
    const view = ledger.query();
    expect(view.entries.map((e) => e.eventId)).to.deep.equal(['c', 'd', 'e']);
    expect(view).to.deep.include({ total: 3, evicted: 2 });
    expect(ledger.event('a'), 'details of evicted events are dropped too').to.equal(undefined);
    expect(ledger.event('e')).to.not.equal(undefined);
  });

  it('keeps the CloudEvent attributes of the latest delivery of an event', () => {
    const ledger = new DeliveryLedger(10, now);
    ledger.accept(delivery('a', { cloudEvent: { id: 'first', traceparent: 'tp-1' } }), 't');
    clock = 2000;
    ledger.accept(
      delivery('a', { cloudEventId: 'second', cloudEvent: { id: 'second', traceparent: 'tp-2', type: 'com.dapr.event.sent' } }),
      't',
    );
    expect(ledger.event('a')).to.deep.equal({
      id: 'second',
      traceparent: 'tp-2',
      type: 'com.dapr.event.sent',
      eventId: 'a',
      topic: 't',
      receivedAt: 2000,
      attempt: 2,
      raw: false,
    });
    expect(ledger.event('missing')).to.equal(undefined);
  });

  it('reset empties everything, eviction and fault counts included', () => {
    const ledger = new DeliveryLedger(1, now);
    ledger.accept(delivery('a'), 't');
    ledger.accept(delivery('b'), 't');
    ledger.refuse(delivery('c'), 't');
    expect(ledger.reset()).to.equal(1);
    expect(ledger.query()).to.deep.equal({ total: 0, unique: 0, duplicates: 0, evicted: 0, faulted: 0, entries: [] });
    expect(ledger.accept(delivery('a'), 't').attempt, 'attempt counters start over').to.equal(1);
  });

  it('holds 200,000 entries by default and evicts beyond that', function () {
    this.timeout(20_000);
    const ledger = new DeliveryLedger(undefined, now);
    for (let i = 0; i < 200_010; i++)
      ledger.accept({ eventId: `e${i}`, cloudEventId: null, publishedAt: null, cloudEvent: null, raw: true }, 't');
    const view = ledger.query({ limit: 1 });
    expect(view.total).to.equal(200_000);
    expect(view.evicted).to.equal(10);
    expect(view.entries[0]?.eventId).to.equal('e200009');
  });
});
