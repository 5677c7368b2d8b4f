import { expect } from 'chai';
import { DEFAULT_TRIP, parseTripExpression } from './trip-expression';
import { tripPoint } from './trip-point';

// Each figure below matches sony/gobreaker v0.5.0 driven with the condition compiled as daprd compiles it.
function tripsAfter(source: string): number | string {
  const point = tripPoint(parseTripExpression(source));
  return point.kind === 'trips' ? point.afterFailures : point.kind;
}

describe('circuit breaker trip points', () => {
  it('opens at N+1 failures for "consecutiveFailures > N" and at N for ">="', () => {
    expect(tripsAfter('consecutiveFailures > 8')).to.equal(9);
    expect(tripsAfter('consecutiveFailures >= 5')).to.equal(5);
    expect(tripsAfter(DEFAULT_TRIP)).to.equal(6);
    expect(tripsAfter('consecutiveFailures > 0')).to.equal(1);
    expect(tripsAfter('consecutiveFailures == 3')).to.equal(3);
  });

  it('solves the other counters the docs mention under persistent failure', () => {
    expect(tripsAfter('requests > 5')).to.equal(6);
    expect(tripsAfter('totalFailures >3')).to.equal(4);
    expect(tripsAfter('5 < consecutiveFailures')).to.equal(6);
  });

  it('joins comparisons with && and || and respects negation and parentheses', () => {
    expect(tripsAfter('requests > 10 && totalFailures > 3')).to.equal(11);
    expect(tripsAfter('consecutiveFailures > 8 || totalFailures >= 4')).to.equal(4);
    expect(tripsAfter('!(consecutiveFailures <= 2)')).to.equal(3);
    expect(tripsAfter('(requests > 2 || totalFailures > 100) && consecutiveFailures >= 2')).to.equal(3);
    expect(tripsAfter('consecutiveFailures > 2 && consecutiveFailures < 5')).to.equal(3);
    expect(tripsAfter('consecutiveFailures != 1')).to.equal(2);
  });

  it('solves linear arithmetic exactly, however large the threshold', () => {
    expect(tripPoint(parseTripExpression('consecutiveFailures * 2 > 9'))).to.deep.equal({
      kind: 'trips',
      afterFailures: 5,
      method: 'solved',
    });
    expect(tripsAfter('consecutiveFailures + 1 >= 4')).to.equal(3);
    expect(tripsAfter('consecutiveFailures - 10 > -5')).to.equal(6);
    expect(tripsAfter('-consecutiveFailures < -3')).to.equal(4);
    expect(tripsAfter('consecutiveFailures > 1000000')).to.equal(1_000_001);
    expect(tripsAfter('double(totalFailures) >= 2.5')).to.equal(3);
    expect(tripsAfter('consecutiveFailures > 4 ? true : false')).to.equal(5);
  });

  it('falls back to evaluating failure by failure for non-linear conditions', () => {
    expect(tripPoint(parseTripExpression('requests >= 4 && totalFailures * 100 / requests >= 50'))).to.deep.equal({
      kind: 'trips',
      afterFailures: 4,
      method: 'searched',
    });
    expect(tripsAfter('double(totalFailures) / double(requests) > 0.5 && requests > 9')).to.equal(10);
    expect(tripsAfter('consecutiveFailures % 7 == 0')).to.equal(7);
    expect(tripsAfter('consecutiveFailures in [2, 4]')).to.equal(2);
    expect(tripsAfter('size([1, 2]) < consecutiveFailures')).to.equal(3);
    expect(tripsAfter('[3, 7].exists(n, n == consecutiveFailures)')).to.equal(3);
  });

  it('says "never" when the condition cannot hold while every call fails', () => {
    expect(tripsAfter('consecutiveSuccesses > 3')).to.equal('never');
    expect(tripsAfter('totalSuccesses >= 1 && totalFailures > 1')).to.equal('never');
    expect(tripsAfter('false')).to.equal('never');
    expect(tripsAfter('consecutiveFailures < 0')).to.equal('never');
    expect(tripsAfter('consecutiveFailures == 2.5')).to.equal('never');
  });

  it('lets a side of && or || that always decides settle it, as CEL does even when the other side errors', () => {
    expect(tripPoint(parseTripExpression('totalFailures / requests > 0 && false'))).to.deep.include({ kind: 'never' });
    expect(tripPoint(parseTripExpression('true || totalFailures / requests > 0'))).to.deep.equal({
      kind: 'trips',
      afterFailures: 1,
      method: 'solved',
    });
  });

  it('says "never" past what gobreaker can count, its counts being uint32', () => {
    const beyond = tripPoint(parseTripExpression('consecutiveFailures > 5000000000'));
    expect(beyond.kind).to.equal('never');
    expect(beyond.kind === 'never' && beyond.reason).to.contain('4294967295');
    expect(tripsAfter('consecutiveFailures >= 4294967295')).to.equal(4_294_967_295);
  });

  it('does not promise a trip where CEL overflows int64 and so errors', () => {
    const overflow = tripPoint(parseTripExpression('consecutiveFailures * 4000000000000000000 > 8000000000000000000'));
    expect(overflow.kind).to.equal('unknown');
    expect(overflow.kind === 'unknown' && overflow.reason).to.contain('overflow');
  });

  it('says "unknown" for a condition that does not hold within the search limit', () => {
    const far = tripPoint(parseTripExpression('consecutiveFailures * consecutiveFailures > 1000000000'));
    expect(far.kind).to.equal('unknown');
    expect(far.kind === 'unknown' && far.reason).to.contain('10000');
  });

  it('trips on the first failure for conditions that already hold', () => {
    expect(tripsAfter('true')).to.equal(1);
    expect(tripsAfter('consecutiveFailures >= 0')).to.equal(1);
    expect(tripsAfter('consecutiveSuccesses == 0')).to.equal(1);
  });
});
