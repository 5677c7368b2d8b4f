import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { DEFAULT_TRIP, evaluateTrip, parseTripExpression, persistentFailureCounts, type BreakerCounts } from './trip-expression';

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
  it('parses the documented conditions and lists the counters they read', () => {
    expect(parseTripExpression('consecutiveFailures > 8').variables).to.deep.equal(['consecutiveFailures']);
    expect(parseTripExpression('requests > 3 && totalFailures > 1 && requests < 100').variables).to.deep.equal([
      'requests',
      'totalFailures',
    ]);
    expect(parseTripExpression(DEFAULT_TRIP).source).to.equal('consecutiveFailures > 5');
  });

  it('tells whether a failure with given counts opens the breaker, errors counting as "no" like daprd', () => {
    const expr = parseTripExpression('requests > 5 && totalFailures * 2 > requests');
    expect(evaluateTrip(expr, counts({ requests: 10, totalFailures: 6 }))).to.equal(true);
    expect(evaluateTrip(expr, counts({ requests: 10, totalFailures: 5 }))).to.equal(false);
    expect(evaluateTrip(parseTripExpression('totalFailures / requests > 0'), counts({}))).to.equal(false);
    expect(
      evaluateTrip(parseTripExpression('consecutiveFailures * consecutiveFailures > 1000000000'), persistentFailureCounts(4_294_967_295)),
    ).to.equal(false);
    expect(evaluateTrip(parseTripExpression('size([1]) < requests'), counts({ requests: 3 }))).to.equal(true);
  });

  it('rejects a misspelt counter, suggesting the right one, because daprd would load it and never trip', () => {
    const e = rejection('consecutiveFailure > 5');
    expect(e.code).to.equal('RESILIENCY_INVALID_TRIP');
    expect(e.message).to.contain('"consecutiveFailure"').and.contain('did you mean "consecutiveFailures"').and.contain('never trip');
    expect(e.hint).to.contain('consecutiveFailures > 5');
    expect(rejection('failures > 3').message).to.contain('"failures"');
  });

  it('rejects conditions that are not true/false', () => {
    expect(rejection('consecutiveFailures').message).to.contain('is an int, not a true/false condition');
    expect(rejection('consecutiveFailures + 5').message).to.contain('is an int');
    expect(rejection('double(totalFailures) / double(requests)').message).to.contain('is a double');
    expect(rejection('"open"').message).to.contain('is a string');
  });

  it('rejects mixing conditions and numbers, and CEL arithmetic that always errors', () => {
    expect(rejection('consecutiveFailures > 5 > 3').message).to.contain('compares a condition');
    expect(rejection('consecutiveFailures && requests > 3').message).to.contain('joins an int with "&&"');
    expect(rejection('!consecutiveFailures').message).to.contain('"!" needs a condition');
    expect(rejection('(requests > 2) + 1 > 0').message).to.contain('arithmetic');
    expect(rejection('consecutiveFailures + 1.5 > 3').message).to.contain('does int + double').and.contain('never trips');
    expect(rejection('totalFailures / 2.0 > 3').message).to.contain('double(...)');
    expect(rejection('requests.count > 0').message).to.contain('field "count" of an int');
    expect(rejection('"a" < 1 || requests > 3').message).to.contain('(string, int)');
    expect(rejection('floor(requests) > 3').message).to.contain('floor(), which is not a CEL function');
  });

  it('accepts what CEL settles at run time: comparison and equality across int, uint and double, size(), macros', () => {
    for (const ok of [
      'consecutiveFailures > 2.5',
      'consecutiveFailures == 3u',
      'size([1]) < requests',
      '[2, 4].exists(n, n == consecutiveFailures)',
      'consecutiveFailures in [2, 4]',
    ]) {
      expect(parseTripExpression(ok).source).to.equal(ok);
    }
  });

  it("rejects what daprd's own CEL compile refuses, every identifier being dyn there", () => {
    // cel-go's ternary is (bool, A, A): a double and an int branch do not unify.
    const e = rejection('consecutiveFailures + (true ? 1.5 : 1) > 3');
    expect(e.message).to.contain('does not compile in daprd').and.contain('"? :" on (bool, double, int)');
    expect(rejection('(requests > 1) == 1').message).to.contain('"==" on (bool, int)');
  });

  it('rejects an empty condition, pointing at the default, and passes syntax errors through', () => {
    const e = rejection('  ');
    expect(e.message).to.contain('empty');
    expect(e.hint).to.contain(DEFAULT_TRIP);
    expect(rejection('consecutiveFailures >').message).to.contain('cannot be parsed').and.contain('column 21');
    expect(rejection('consecutiveFailures > 5 and requests > 2').message).to.contain('column 25');
    expect(rejection('(consecutiveFailures > 5').hint).to.contain('consecutiveFailures > 5');
  });
});
