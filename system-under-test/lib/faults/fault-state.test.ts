import { expect } from 'chai';
import { FaultState } from './fault-state';

describe('FaultState', () => {
  it('fails exactly the next `count` calls carrying the key, and no others', () => {
    const s = new FaultState();
    s.addCallFault({ key: 'k', count: 2, status: 503 });
    expect(s.planCall('other').failWith).to.equal(undefined);
    expect(s.planCall(undefined).failWith).to.equal(undefined);
    expect(s.planCall('k').failWith).to.equal(503);
    expect(s.planCall('k').failWith).to.equal(503);
    expect(s.planCall('k').failWith).to.equal(undefined);
    expect(s.active().calls).to.deep.equal([]);
  });

  it('a fault without a key matches every call', () => {
    const s = new FaultState();
    s.addCallFault({ count: 2, status: 500 });
    expect(s.planCall(undefined).failWith).to.equal(500);
    expect(s.planCall('any').failWith).to.equal(500);
    expect(s.planCall(undefined).failWith).to.equal(undefined);
  });

  it('adds the failure delay and the delay fault together', () => {
    const s = new FaultState();
    s.addDelayFault({ key: 'k', delayMs: 100, count: 1 });
    s.addCallFault({ key: 'k', count: 1, status: 500, delayMs: 50 });
    expect(s.planCall('k')).to.deep.equal({ delayMs: 150, failWith: 500 });
    expect(s.planCall('k')).to.deep.equal({ delayMs: 0 });
  });

  it('a delay without a count stays until reset', () => {
    const s = new FaultState();
    s.addDelayFault({ delayMs: 20 });
    for (let i = 0; i < 5; i++) expect(s.planCall(undefined).delayMs).to.equal(20);
    s.reset();
    expect(s.planCall(undefined).delayMs).to.equal(0);
  });

  it('pub/sub faults apply to their topic only, `count` times', () => {
    const s = new FaultState();
    s.addPubsubFault({ topic: 'task.created', mode: 'RETRY', count: 2 });
    expect(s.pubsubVerdict('task.updated')).to.equal(undefined);
    expect(s.pubsubVerdict('task.created')).to.equal('RETRY');
    expect(s.pubsubVerdict('task.created')).to.equal('RETRY');
    expect(s.pubsubVerdict('task.created')).to.equal(undefined);
  });

  it('a pub/sub fraction faults exactly that share of deliveries, evenly spread', () => {
    const s = new FaultState();
    s.addPubsubFault({ mode: 'DROP', fraction: 0.25 });
    const verdicts = Array.from({ length: 100 }, () => s.pubsubVerdict('t'));
    expect(verdicts.filter((v) => v === 'DROP')).to.have.length(25);
    expect(verdicts.slice(0, 4)).to.deep.equal([undefined, undefined, undefined, 'DROP']);
  });

  it('fraction and count together stop after `count` faults', () => {
    const s = new FaultState();
    s.addPubsubFault({ mode: 'DROP', fraction: 0.5, count: 2 });
    const verdicts = Array.from({ length: 10 }, () => s.pubsubVerdict('t'));
    expect(verdicts.filter((v) => v === 'DROP')).to.have.length(2);
  });

  it('numbers the attempts of each key', () => {
    const s = new FaultState();
    expect([s.nextAttempt('a'), s.nextAttempt('a'), s.nextAttempt('b'), s.nextAttempt('a')]).to.deep.equal([1, 2, 1, 3]);
  });

  it('forgets the attempt counters of the oldest keys beyond its bound', () => {
    const s = new FaultState(10, 2);
    s.nextAttempt('a');
    s.nextAttempt('b');
    s.nextAttempt('c');
    expect(s.nextAttempt('a'), 'a was forgotten, so it starts over').to.equal(1);
    expect(s.nextAttempt('c')).to.equal(2);
  });

  it('keeps at most the configured number of call records, dropping the oldest', () => {
    const s = new FaultState(3);
    for (let i = 1; i <= 5; i++)
      s.recordCall({ time: `t${i}`, key: i % 2 ? 'odd' : 'even', method: 'GET', path: '/x', status: 200, attempt: i });
    expect(s.callLog().map((c) => c.attempt)).to.deep.equal([3, 4, 5]);
    expect(s.callLog('odd').map((c) => c.attempt)).to.deep.equal([3, 5]);
  });

  it('reset clears faults, call log and attempt counters', () => {
    const s = new FaultState();
    s.addCallFault({ count: 1, status: 500 });
    s.addPubsubFault({ mode: 'RETRY', count: 1 });
    s.nextAttempt('k');
    s.recordCall({ time: 't', key: 'k', method: 'GET', path: '/', status: 200, attempt: 1 });
    expect(s.reset()).to.deep.equal({ faults: 2, calls: 1 });
    expect(s.callLog()).to.deep.equal([]);
    expect(s.planCall(undefined).failWith).to.equal(undefined);
    expect(s.nextAttempt('k')).to.equal(1);
  });
});
