import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import {
  describeExpectation,
  effectivePolicy,
  expectedAttempts,
  expectedCalleeCalls,
  parseResiliencyDocuments,
  resolvePolicies,
  retryDelaysMs,
  timeoutMs,
  circuitBreakerExpectation,
} from './index';

// How a suite uses the model: read the spec, resolve it against the deployment, derive what to observe.
const spec = `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: sample
spec:
  policies:
    timeouts:
      fast: 500ms
    retries:
      threeTimes:
        policy: constant
        duration: 100ms
        maxRetries: 3
        matching:
          httpStatusCodes: "500-599"
    circuitBreakers:
      sampleCB:
        timeout: 10s
        trip: consecutiveFailures >= 4
  targets:
    apps:
      sample-app:
        timeout: fast
        retry: threeTimes
        circuitBreaker: sampleCB
`;

describe('the resiliency model, end to end', () => {
  const docs = parseResiliencyDocuments([{ yaml: spec, source: 'resiliency.yaml' }]);
  const resolved = resolvePolicies(docs, { appIds: ['sample-app'], components: [{ name: 'statestore', type: 'state.redis' }] });
  const calls = effectivePolicy(resolved, { app: 'sample-app' });

  it('derives the numbers a suite asserts on', () => {
    expect(timeoutMs(calls)).to.equal(500);
    expect(retryDelaysMs(calls.retry ?? expect.fail('no retry'), 5).map((d) => d.minMs)).to.deep.equal([100, 100, 100]);
    expect(expectedAttempts(calls.retry, { failures: 2, statusCode: 503 })).to.include({ min: 3, max: 3 });
    expect(expectedAttempts(calls.retry, { failures: 2, statusCode: 404 })).to.include({ min: 1, max: 1 });
    expect(circuitBreakerExpectation(calls.circuitBreaker ?? expect.fail('no breaker'))).to.include({
      tripAfter: 4,
      openMs: 10_000,
      halfOpenMaxRequests: 1,
    });
    expect(expectedCalleeCalls(calls, { requests: 5 })).to.deep.include({
      calls: { min: 4, max: 4 },
      requestsReachingCallee: { min: 1, max: 1 },
    });
    expect(describeExpectation(calls)).to.contain('up to 3 retries');
    expect(resolved.findings.filter((f) => f.severity === 'warning')).to.deep.equal([]);
  });

  it('rejects a broken spec with a one-line usage error', () => {
    try {
      parseResiliencyDocuments([{ yaml: spec.replace('retry: threeTimes', 'retry: threeTimez'), source: 'resiliency.yaml' }]);
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(HarnessError);
      expect((err as HarnessError).oneLine()).to.match(
        /^RESILIENCY_UNKNOWN_POLICY: resiliency\.yaml: spec\.targets\.apps\.sample-app\.retry: .*did you mean "threeTimes".* · define it/,
      );
    }
  });
});
