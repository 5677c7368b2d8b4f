import { expect } from 'chai';
import { BoundedLog, setBounded } from './bounded-log';

describe('BoundedLog', () => {
  it('keeps items oldest first while under capacity', () => {
    const log = new BoundedLog<number>(3);
    [1, 2].forEach((n) => log.push(n));
    expect(log.toArray()).to.deep.equal([1, 2]);
    expect(log.evicted).to.equal(0);
  });

  it('overwrites the oldest beyond capacity and counts what it dropped', () => {
    const log = new BoundedLog<number>(3);
    [1, 2, 3, 4, 5].forEach((n) => log.push(n));
    expect(log.toArray()).to.deep.equal([3, 4, 5]);
    expect(log.size).to.equal(3);
    expect(log.evicted).to.equal(2);
  });

  it('starts over on clear', () => {
    const log = new BoundedLog<number>(2);
    [1, 2, 3].forEach((n) => log.push(n));
    log.clear();
    log.push(9);
    expect(log.toArray()).to.deep.equal([9]);
    expect(log.evicted).to.equal(0);
  });

  it('refuses a capacity that cannot hold anything', () => {
    expect(() => new BoundedLog(0)).to.throw(RangeError, /positive whole number/);
  });
});

describe('setBounded', () => {
  it('drops the oldest-inserted keys beyond capacity; re-setting a key makes it newest', () => {
    const m = new Map<string, number>();
    setBounded(m, 'a', 1, 2);
    setBounded(m, 'b', 2, 2);
    setBounded(m, 'a', 3, 2);
    setBounded(m, 'c', 4, 2);
    expect([...m.entries()]).to.deep.equal([
      ['a', 3],
      ['c', 4],
    ]);
  });
});
