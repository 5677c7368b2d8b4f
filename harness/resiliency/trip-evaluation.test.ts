import { expect } from 'chai';
import { evaluateNode, persistentFailureCounts, type BreakerCounts } from './trip-evaluation';
import { parseCel } from './trip-syntax';

const counts = (partial: Partial<BreakerCounts>): BreakerCounts => ({
  requests: 0,
  totalSuccesses: 0,
  totalFailures: 0,
  consecutiveSuccesses: 0,
  consecutiveFailures: 0,
  ...partial,
});

const run = (source: string, c: BreakerCounts = counts({})) => evaluateNode(parseCel(source), c);

describe('CEL evaluation of trip conditions', () => {
  it('evaluates comparisons and arithmetic over the counts', () => {
    expect(run('requests > 5 && totalFailures * 2 > requests', counts({ requests: 10, totalFailures: 6 }))).to.deep.equal({ t: 'bool', v: true });
    expect(run('requests > 5 && totalFailures * 2 > requests', counts({ requests: 10, totalFailures: 5 }))).to.deep.equal({ t: 'bool', v: false });
    expect(run('totalFailures + 1', counts({ totalFailures: 2 }))).to.deep.equal({ t: 'int', v: 3 });
  });

  it('divides ints with truncation and compares numbers across int, uint and double', () => {
    expect(run('totalFailures / 2', counts({ totalFailures: 3 }))).to.deep.equal({ t: 'int', v: 1 });
    expect(run('-7 / 2')).to.deep.equal({ t: 'int', v: -3 });
    expect(run('-7 % 3')).to.deep.equal({ t: 'int', v: -1 });
    expect(run('consecutiveFailures > 2.5', counts({ consecutiveFailures: 3 }))).to.deep.equal({ t: 'bool', v: true });
    expect(run('consecutiveFailures == 3u', counts({ consecutiveFailures: 3 }))).to.deep.equal({ t: 'bool', v: true });
    expect(run('double(totalFailures) / double(requests)', counts({ totalFailures: 1, requests: 4 }))).to.deep.equal({ t: 'double', v: 0.25 });
    expect(run('consecutiveFailures in [2, 4]', counts({ consecutiveFailures: 4 }))).to.deep.equal({ t: 'bool', v: true });
  });

  it('errors where CEL errors: no implicit conversion, division by zero, wrong operand types', () => {
    expect(run('consecutiveFailures + 1.5').t).to.equal('error');
    expect(run('totalFailures / requests').t).to.equal('error');
    expect(run('3 % 0').t).to.equal('error');
    expect(run('1.5 % 1.0').t).to.equal('error');
    expect(run('!requests').t).to.equal('error');
    expect(run('requests && true').t).to.equal('error');
    expect(run('"a" < 1').t).to.equal('error');
    expect(run('0u - 1u').t).to.equal('error');
  });

  it('absorbs errors in && and || as CEL does, whichever side they are on', () => {
    expect(run('totalFailures / requests > 0 || true')).to.deep.equal({ t: 'bool', v: true });
    expect(run('true || totalFailures / requests > 0')).to.deep.equal({ t: 'bool', v: true });
    expect(run('totalFailures / requests > 0 && false')).to.deep.equal({ t: 'bool', v: false });
    expect(run('totalFailures / requests > 0 && true').t).to.equal('error');
  });

  it('reports CEL it does not evaluate as unsupported rather than guessing', () => {
    expect(run('size([1]) > 0')).to.deep.include({ t: 'unsupported' });
    expect(run('requests.count > 0')).to.deep.include({ t: 'unsupported' });
    expect(run('false && size([1]) > 0')).to.deep.equal({ t: 'bool', v: false });
  });

  it('models a breaker whose every call fails', () => {
    expect(persistentFailureCounts(4)).to.deep.equal({ requests: 4, totalFailures: 4, consecutiveFailures: 4, totalSuccesses: 0, consecutiveSuccesses: 0 });
  });
});
