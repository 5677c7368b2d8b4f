import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { DEFAULT_TRIP, evaluateTrip, parseTripExpression, persistentFailureCounts, tripPoint, type BreakerCounts } from './trip-expression';

function tripsAfter(source: string): number | string {
  const point = tripPoint(parseTripExpression(source));
  return point.kind === 'trips' ? point.afterFailures : point.kind;
}

function rejection(source: string): HarnessError {
  try {
    parseTripExpression(source);
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error(`expected "${source}" to be rejected`);
}

const counts = (partial: Partial<BreakerCounts>): BreakerCounts => ({
  requests: 0,
  totalSuccesses: 0,
  totalFailures: 0,
  consecutiveSuccesses: 0,
  consecutiveFailures: 0,
  ...partial,
});

describe('circuit breaker trip expressions', () => {
  describe('trip points of the documented forms', () => {
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
    });

    it('solves linear arithmetic exactly, however large the threshold', () => {
      expect(tripsAfter('consecutiveFailures * 2 > 9')).to.equal(5);
      expect(tripsAfter('consecutiveFailures + 1 >= 4')).to.equal(3);
      expect(tripsAfter('consecutiveFailures - 10 > -5')).to.equal(6);
      expect(tripsAfter('consecutiveFailures > 1000000')).to.equal(1_000_001);
      expect(tripsAfter('double(totalFailures) >= 2.5')).to.equal(3);
      expect(tripsAfter('consecutiveFailures > 4 ? true : false')).to.equal(5);
    });

    it('falls back to evaluating failure by failure for non-linear conditions', () => {
      const point = tripPoint(parseTripExpression('requests >= 4 && totalFailures * 100 / requests >= 50'));
      expect(point).to.deep.equal({ kind: 'trips', afterFailures: 4, method: 'searched' });
      expect(tripsAfter('double(totalFailures) / double(requests) > 0.5 && requests > 9')).to.equal(10);
      expect(tripsAfter('consecutiveFailures % 7 == 0')).to.equal(7);
    });

    it('says "never" when the condition cannot hold while every call fails', () => {
      expect(tripsAfter('consecutiveSuccesses > 3')).to.equal('never');
      expect(tripsAfter('totalSuccesses >= 1 && totalFailures > 1')).to.equal('never');
      expect(tripsAfter('false')).to.equal('never');
      expect(tripsAfter('consecutiveFailures < 0')).to.equal('never');
    });

    it('says "unknown" for CEL it cannot evaluate or that does not hold within the search limit', () => {
      const unsupported = tripPoint(parseTripExpression('size([1, 2]) < consecutiveFailures'));
      expect(unsupported.kind).to.equal('unknown');
      expect(unsupported.kind === 'unknown' && unsupported.reason).to.contain('does not evaluate');
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

  describe('evaluation', () => {
    it('evaluates conditions over arbitrary counts', () => {
      const expr = parseTripExpression('requests > 5 && totalFailures * 2 > requests');
      expect(evaluateTrip(expr, counts({ requests: 10, totalFailures: 6 }))).to.equal(true);
      expect(evaluateTrip(expr, counts({ requests: 10, totalFailures: 5 }))).to.equal(false);
      expect(evaluateTrip(expr, counts({ requests: 4, totalFailures: 4 }))).to.equal(false);
    });

    it('treats run-time errors as "do not trip", as daprd does, with CEL\'s error-absorbing && and ||', () => {
      expect(evaluateTrip(parseTripExpression('totalFailures / requests > 0'), counts({}))).to.equal(false);
      expect(evaluateTrip(parseTripExpression('totalFailures / requests > 0 || consecutiveFailures > 1'), counts({ consecutiveFailures: 2 }))).to.equal(true);
      expect(evaluateTrip(parseTripExpression('consecutiveFailures > 1 && totalFailures / requests > 0'), counts({ consecutiveFailures: 0 }))).to.equal(false);
      // int + double has no overload in CEL; this form gets past the static check
      expect(evaluateTrip(parseTripExpression('consecutiveFailures + (true ? 1.5 : 1) > 3'), persistentFailureCounts(10))).to.equal(false);
    });

    it('compares ints, uints and doubles numerically and divides ints with truncation', () => {
      expect(evaluateTrip(parseTripExpression('consecutiveFailures > 2.5'), counts({ consecutiveFailures: 3 }))).to.equal(true);
      expect(evaluateTrip(parseTripExpression('consecutiveFailures == 3u'), counts({ consecutiveFailures: 3 }))).to.equal(true);
      expect(evaluateTrip(parseTripExpression('totalFailures / 2 == 1'), counts({ totalFailures: 3 }))).to.equal(true);
      expect(evaluateTrip(parseTripExpression('consecutiveFailures > 0x0A'), counts({ consecutiveFailures: 11 }))).to.equal(true);
      expect(evaluateTrip(parseTripExpression('consecutiveFailures in [2, 4]'), counts({ consecutiveFailures: 4 }))).to.equal(true);
    });
  });

  describe('rejections', () => {
    it('rejects a misspelt counter, suggesting the right one, because daprd would load it and never trip', () => {
      const e = rejection('consecutiveFailure > 5');
      expect(e.code).to.equal('resiliency.invalid-trip');
      expect(e.message).to.contain('"consecutiveFailure"').and.contain('did you mean "consecutiveFailures"').and.contain('never trip');
      expect(e.hint).to.contain('consecutiveFailures > 5');
      expect(rejection('failures > 3').message).to.contain('"failures"');
    });

    it('rejects syntax errors with the column', () => {
      expect(rejection('consecutiveFailures >').message).to.contain('expected a value but found the end');
      expect(rejection('consecutiveFailures > 5)').message).to.contain('unexpected ")"');
      expect(rejection('(consecutiveFailures > 5').message).to.contain('expected ")"');
      expect(rejection('consecutiveFailures >> 5').message).to.contain('column 22');
      expect(rejection('consecutiveFailures > 5 and requests > 2').message).to.contain('unexpected "and"');
      expect(rejection('consecutiveFailures # 5').message).to.contain('unexpected character "#"');
      expect(rejection('consecutiveFailures > "5').message).to.contain('not closed');
      expect(rejection('{}').message).to.contain('map literals');
    });

    it('rejects conditions that are not true/false', () => {
      expect(rejection('consecutiveFailures').message).to.contain('is a number, not a true/false condition');
      expect(rejection('consecutiveFailures + 5').message).to.contain('is a number');
      expect(rejection('"open"').message).to.contain('is a string');
    });

    it('rejects mixing conditions and numbers', () => {
      expect(rejection('consecutiveFailures > 5 > 3').message).to.contain('compares a condition');
      expect(rejection('consecutiveFailures && requests > 3').message).to.contain('joins a number with "&&"');
      expect(rejection('!consecutiveFailures').message).to.contain('"!" needs a condition');
      expect(rejection('(requests > 2) + 1 > 0').message).to.contain('arithmetic');
      expect(rejection('consecutiveFailures + 1.5 > 3').message).to.contain('does int + double').and.contain('never trips');
      expect(rejection('totalFailures / 2.0 > 3').message).to.contain('double(...)');
    });

    it('rejects an empty condition, pointing at the default', () => {
      const e = rejection('  ');
      expect(e.message).to.contain('empty');
      expect(e.hint).to.contain(DEFAULT_TRIP);
    });
  });

  it('lists the counters a condition reads', () => {
    expect(parseTripExpression('requests > 3 && totalFailures > 1 && requests < 100').variables).to.deep.equal(['requests', 'totalFailures']);
  });
});
