import { expect } from 'chai';
import { parseDuration, parsePositiveInt, parseRate, parseSize } from './units';

describe('CLI units', () => {
  it('parses durations', () => {
    expect(parseDuration('30s', '--d')).to.equal(30_000);
    expect(parseDuration('500ms', '--d')).to.equal(500);
    expect(parseDuration('1m30s', '--d')).to.equal(90_000);
    expect(parseDuration('2', '--d')).to.equal(2000);
  });
  it('parses rates and sizes', () => {
    expect(parseRate('1000/s', '--r')).to.equal(1000);
    expect(parseRate('60/m', '--r')).to.equal(1);
    expect(parseRate('250', '--r')).to.equal(250);
    expect(parseSize('1KB', '--p')).to.equal(1024);
    expect(parseSize('10', '--p')).to.equal(10);
    expect(parsePositiveInt('16', '--c')).to.equal(16);
  });
  it('refuses nonsense with a usage error naming the flag', () => {
    expect(() => parseDuration('soon', '--duration')).to.throw(/--duration soon is not a duration/);
    expect(() => parseDuration('0s', '--duration')).to.throw(/more than zero/);
    expect(() => parseRate('fast', '--rate')).to.throw(/--rate fast is not a rate/);
    expect(() => parseSize('huge', '--payload')).to.throw(/--payload huge/);
    expect(() => parsePositiveInt('-1', '--connections')).to.throw(/--connections -1/);
  });
});
