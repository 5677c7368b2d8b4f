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
    expect(parseTripExpression('requests > 3 && totalFailures > 1 && requests < 100').variables).to.deep.equal(['requests', 'totalFailures']);
    expect(parseTripExpression(DEFAULT_TRIP).source).to.equal('consecutiveFailures > 5');
  });

  it('tells whether a failure with given counts opens the breaker, errors counting as "no" like daprd', () => {
    const expr = parseTripExpression('requests > 5 && totalFailures * 2 > requests');
    expect(evaluateTrip(expr, counts({ requests: 10, totalFailures: 6 }))).to.equal(true);
    expect(evaluateTrip(expr, counts({ requests: 10, totalFailures: 5 }))).to.equal(false);
    expect(evaluateTrip(parseTripExpression('totalFailures / requests > 0'), counts({}))).to.equal(false);
    // int + double has no overload in CEL; this form gets past the static check and errors at run time.
    expect(evaluateTrip(parseTripExpression('consecutiveFailures + (true ? 1.5 : 1) > 3'), persistentFailureCounts(10))).to.equal(false);
    expect(evaluateTrip(parseTripExpression('size([1]) < requests'), counts({ requests: 3 }))).to.equal(undefined);
  });

  it('rejects a misspelt counter, suggesting the right one, because daprd would load it and never trip', () => {
    const e = rejection('consecutiveFailure > 5');
    expect(e.code).to.equal('resiliency.invalid-trip');
    expect(e.message).to.contain('"consecutiveFailure"').and.contain('did you mean "consecutiveFailures"').and.contain('never trip');
    expect(e.hint).to.contain('consecutiveFailures > 5');
    expect(rejection('failures > 3').message).to.contain('"failures"');
  });

  it('rejects conditions that are not true/false', () => {
    expect(rejection('consecutiveFailures').message).to.contain('is a number, not a true/false condition');
    expect(rejection('consecutiveFailures + 5').message).to.contain('is a number');
    expect(rejection('"open"').message).to.contain('is a string');
  });

  it('rejects mixing conditions and numbers, and CEL arithmetic that always errors', () => {
    expect(rejection('consecutiveFailures > 5 > 3').message).to.contain('compares a condition');
    expect(rejection('consecutiveFailures && requests > 3').message).to.contain('joins a number with "&&"');
    expect(rejection('!consecutiveFailures').message).to.contain('"!" needs a condition');
    expect(rejection('(requests > 2) + 1 > 0').message).to.contain('arithmetic');
    expect(rejection('consecutiveFailures + 1.5 > 3').message).to.contain('does int + double').and.contain('never trips');
    expect(rejection('totalFailures / 2.0 > 3').message).to.contain('double(...)');
  });

  it('rejects an empty condition, pointing at the default, and passes syntax errors through', () => {
    const e = rejection('  ');
    expect(e.message).to.contain('empty');
    expect(e.hint).to.contain(DEFAULT_TRIP);
    expect(rejection('consecutiveFailures >').message).to.contain('cannot be parsed');
  });
});
