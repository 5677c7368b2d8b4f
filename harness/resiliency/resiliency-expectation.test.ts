import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { circuitBreakerPolicy, retryPolicy, timeoutPolicy } from './policy-definitions';
import { loadResiliencyFiles } from './resiliency-document';
import { circuitBreakerExpectation, describeBreaker, describeExpectation, describeRetry, expectedCalleeCalls, timeoutMs } from './resiliency-expectation';
import { effectivePolicy, resolvePolicies, type EffectivePolicy } from './resiliency-policy';
import { parseStatusCodes } from './status-code-match';

const complete = resolvePolicies(loadResiliencyFiles([fileURLToPath(new URL('fixtures/docs-complete-example.yaml', import.meta.url))]), {
  appIds: ['app1', 'appB'],
  components: [{ name: 'pubsub2', type: 'pubsub.jetstream' }],
});
const app1ToAppB = effectivePolicy(complete, { sidecar: 'app1', app: 'appB' });

function target(policies: Partial<EffectivePolicy>): EffectivePolicy {
  return { sidecar: 'caller', target: { kind: 'app', appId: 'callee' }, source: 'named', ...policies };
}

describe('resiliency expectations', () => {
  describe('timeouts', () => {
    it('is the per-attempt timeout, or undefined when none applies', () => {
      expect(timeoutMs(app1ToAppB)).to.equal(5000);
      expect(timeoutMs(timeoutPolicy('t', 250))).to.equal(250);
      expect(timeoutMs(timeoutPolicy('zero', 0))).to.equal(undefined);
      expect(timeoutMs(effectivePolicy(complete, { sidecar: 'appB', app: 'appB' }))).to.equal(undefined);
      expect(timeoutMs(undefined)).to.equal(undefined);
    });
  });

  describe('circuit breakers', () => {
    it('turns the documented breakers into numbers', () => {
      const simple = circuitBreakerExpectation(app1ToAppB.circuitBreaker ?? circuitBreakerPolicy('missing'));
      expect(simple).to.include({ tripAfter: 5, openMs: 30_000, intervalMs: 0, halfOpenMaxRequests: 1, closeAfterSuccesses: 1 });
      const pubsub = circuitBreakerExpectation(effectivePolicy(complete, { sidecar: 'app1', component: 'pubsub2' }).circuitBreaker ?? circuitBreakerPolicy('missing'));
      expect(pubsub).to.include({ tripAfter: 9, openMs: 45_000, intervalMs: 8000, halfOpenMaxRequests: 1 });
    });

    it('uses gobreaker\'s defaults for an empty breaker', () => {
      expect(circuitBreakerExpectation(circuitBreakerPolicy('empty'))).to.include({ tripAfter: 6, openMs: 60_000, intervalMs: 0, halfOpenMaxRequests: 1 });
    });

    it('leaves tripAfter out when the breaker never opens', () => {
      const never = circuitBreakerExpectation(circuitBreakerPolicy('never', { trip: 'consecutiveSuccesses > 3' }));
      expect(never.tripAfter).to.equal(undefined);
      expect(never.trip.kind).to.equal('never');
    });
  });

  describe('calls a persistently failing callee sees', () => {
    it('stops at the breaker for the documented appB policy (31 attempts a request, breaker at 5)', () => {
      const calls = expectedCalleeCalls(app1ToAppB, { requests: 3 });
      expect(calls.attemptsPerRequest).to.include({ min: 31, max: 31 });
      expect(calls.calls).to.deep.equal({ min: 5, max: 5 });
      expect(calls.requestsReachingCallee).to.deep.equal({ min: 1, max: 1 });
    });

    it('multiplies attempts by requests without a breaker', () => {
      const calls = expectedCalleeCalls(target({ retry: retryPolicy('r', { maxRetries: 3 }) }), { requests: 2 });
      expect(calls.calls).to.deep.equal({ min: 8, max: 8 });
      expect(calls.requestsReachingCallee).to.deep.equal({ min: 2, max: 2 });
    });

    it('spreads the breaker\'s failures over requests when retries are few', () => {
      const calls = expectedCalleeCalls(target({ retry: retryPolicy('r', { maxRetries: 2 }), circuitBreaker: circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 5' }) }), { requests: 4 });
      expect(calls.calls).to.deep.equal({ min: 5, max: 5 });
      expect(calls.requestsReachingCallee).to.deep.equal({ min: 2, max: 2 });
      const noRetry = expectedCalleeCalls(target({ circuitBreaker: circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 5' }) }), { requests: 10 });
      expect(noRetry.calls).to.deep.equal({ min: 5, max: 5 });
      expect(noRetry.requestsReachingCallee).to.deep.equal({ min: 5, max: 5 });
    });

    it('lets the breaker end unlimited retries within the first request', () => {
      const calls = expectedCalleeCalls(target({ retry: retryPolicy('forever', { durationMs: 10, maxRetries: -1 }), circuitBreaker: circuitBreakerPolicy('cb') }), { requests: 3 });
      expect(calls.calls).to.deep.equal({ min: 6, max: 6 });
      expect(calls.requestsReachingCallee).to.deep.equal({ min: 1, max: 1 });
      expect(expectedCalleeCalls(target({ retry: retryPolicy('forever', { maxRetries: -1 }) }), { requests: 1 }).calls.max).to.equal(Infinity);
    });

    it('is nothing for no requests', () => {
      expect(expectedCalleeCalls(app1ToAppB, { requests: 0 }).calls).to.deep.equal({ min: 0, max: 0 });
    });
  });

  describe('descriptions for reports', () => {
    it('describes the documented appB policy and how its parts combine', () => {
      const text = describeExpectation(app1ToAppB);
      expect(text).to.match(/^calls from app1 to app appB: /);
      expect(text).to.contain('timeout "general": each attempt is cut off after 5s');
      expect(text).to.contain('retry "important": 5s between attempts, up to 30 retries (31 calls when every attempt fails)');
      expect(text).to.contain('circuit breaker "simpleCB": opens after 5 failures in a row (trip: consecutiveFailures >= 5), then fails calls at once for 30s before letting 1 trial call through');
      expect(text).to.contain('one breaker per endpoint (app id + method)');
      expect(text).to.contain('a timed-out attempt is retried');
      expect(text).to.contain('retries stop once it opens');
      expect(text).to.contain('streamed without a Content-Length are never retried');
      expect(text).not.to.contain('built-in');
    });

    it('describes a call with no policy and the built-in retries it keeps', () => {
      const text = describeExpectation(effectivePolicy(complete, { sidecar: 'appB', app: 'appB' }));
      expect(text).to.contain('no resiliency policy: each call is tried once');
      expect(text).to.contain('DaprBuiltInServiceRetries also retries sidecar-to-sidecar transport failures (gRPC Unavailable/Unauthenticated) up to 3 times, 1s apart');
    });

    it('describes inbound component deliveries', () => {
      const text = describeExpectation(effectivePolicy(complete, { sidecar: 'app1', component: 'pubsub2', direction: 'inbound' }));
      expect(text).to.match(/^deliveries from Pubsub pubsub2 to app app1 \(inbound\): /);
      expect(text).to.contain('one breaker per component, shared by inbound and outbound');
    });

    it('describes exponential, unlimited and status-matching retries', () => {
      expect(describeRetry(retryPolicy('retryForever', { policy: 'exponential', maxIntervalMs: 15_000, maxRetries: -1 }))).to.equal(
        'retry "retryForever": exponential waits from 500ms (±50%) growing ×1.5 to at most 15s (±50%), without limit, giving up 15m0s after the first attempt',
      );
      expect(describeRetry(retryPolicy('r', { durationMs: 5000, maxRetries: -1 }))).to.contain('without limit until the call succeeds or the caller gives up');
      expect(describeRetry(retryPolicy('none', { maxRetries: 0 }))).to.equal('retry "none": no retries (maxRetries 0)');
      const matching = retryPolicy('retry5xxOnly', { maxRetries: 3, matching: { httpStatusCodes: parseStatusCodes('429,500-599', 'http'), grpcStatusCodes: parseStatusCodes('1-4,8-11,13,14', 'grpc') } });
      expect(describeRetry(matching)).to.contain('retries only HTTP statuses 429,500-599 and only gRPC codes 1-4,8-11,13,14');
      const httpOnly = retryPolicy('withMatch', { maxRetries: 3, matching: { httpStatusCodes: parseStatusCodes('500', 'http'), grpcStatusCodes: null } });
      expect(describeRetry(httpOnly)).to.contain('retries only HTTP statuses 500 and every gRPC error code');
    });

    it('says when a breaker uses the default trip or never opens', () => {
      expect(describeBreaker(circuitBreakerPolicy('cb'))).to.contain('opens after 6 failures in a row (trip: consecutiveFailures > 5, the default)').and.contain('counts never cleared');
      expect(describeBreaker(circuitBreakerPolicy('cb', { trip: 'totalSuccesses > 1', intervalMs: 8000 }))).to.contain('never opens while calls keep failing').and.contain('counts cleared every 8s');
    });
  });
});
