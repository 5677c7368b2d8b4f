import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { circuitBreakerPolicy, RETRY_DEFAULTS, retryPolicy, timeoutPolicy } from './policy-definitions';

describe('policy definitions', () => {
  it("fills a retry policy with dapr/kit's defaults: constant 5s, unlimited, cenkalti's exponential settings", () => {
    expect(retryPolicy('r')).to.deep.equal({ name: 'r', ...RETRY_DEFAULTS });
    expect(RETRY_DEFAULTS).to.deep.include({
      policy: 'constant',
      durationMs: 5000,
      maxRetries: -1,
      initialIntervalMs: 500,
      multiplier: 1.5,
      randomizationFactor: 0.5,
      maxIntervalMs: 60_000,
      maxElapsedMs: 900_000,
    });
    expect(retryPolicy('r', { maxRetries: 3 }).maxRetries).to.equal(3);
  });

  it("fills a circuit breaker with gobreaker's defaults for missing or non-positive values", () => {
    const empty = circuitBreakerPolicy('cb');
    expect(empty).to.include({ name: 'cb', maxRequests: 1, intervalMs: 0, timeoutMs: 60_000, tripDeclared: false });
    expect(empty.trip.source).to.equal('consecutiveFailures > 5');
    expect(circuitBreakerPolicy('cb', { maxRequests: 0, intervalMs: -1, timeoutMs: 0 })).to.include({
      maxRequests: 1,
      intervalMs: 0,
      timeoutMs: 60_000,
    });
    const set = circuitBreakerPolicy('cb', { maxRequests: 3, intervalMs: 8000, timeoutMs: 45_000, trip: 'consecutiveFailures > 8' });
    expect(set).to.include({ maxRequests: 3, intervalMs: 8000, timeoutMs: 45_000, tripDeclared: true });
  });

  it('refuses a bad trip condition', () => {
    expect(() => circuitBreakerPolicy('cb', { trip: 'consecutiveFailure > 8' })).to.throw(
      HarnessError,
      'did you mean "consecutiveFailures"',
    );
  });

  it('names a timeout', () => {
    expect(timeoutPolicy('general', 5000)).to.deep.equal({ name: 'general', timeoutMs: 5000 });
  });
});
