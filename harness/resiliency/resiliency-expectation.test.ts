import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { circuitBreakerPolicy, retryPolicy, timeoutPolicy } from './policy-definitions';
import { loadResiliencyFiles } from './resiliency-document';
import {
  circuitBreakerExpectation,
  describeBreaker,
  describeExpectation,
  describeRetry,
  expectedCalleeCalls,
  expectedInvocation,
  timeoutMs,
} from './resiliency-expectation';
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
      const pubsub = circuitBreakerExpectation(
        effectivePolicy(complete, { sidecar: 'app1', component: 'pubsub2' }).circuitBreaker ?? circuitBreakerPolicy('missing'),
      );
      expect(pubsub).to.include({ tripAfter: 9, openMs: 45_000, intervalMs: 8000, halfOpenMaxRequests: 1 });
    });

    it("uses gobreaker's defaults for an empty breaker", () => {
      expect(circuitBreakerExpectation(circuitBreakerPolicy('empty'))).to.include({
        tripAfter: 6,
        openMs: 60_000,
        intervalMs: 0,
        halfOpenMaxRequests: 1,
      });
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

    it("spreads the breaker's failures over requests when retries are few", () => {
      const calls = expectedCalleeCalls(
        target({
          retry: retryPolicy('r', { maxRetries: 2 }),
          circuitBreaker: circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 5' }),
        }),
        { requests: 4 },
      );
      expect(calls.calls).to.deep.equal({ min: 5, max: 5 });
      expect(calls.requestsReachingCallee).to.deep.equal({ min: 2, max: 2 });
      const noRetry = expectedCalleeCalls(target({ circuitBreaker: circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 5' }) }), {
        requests: 10,
      });
      expect(noRetry.calls).to.deep.equal({ min: 5, max: 5 });
      expect(noRetry.requestsReachingCallee).to.deep.equal({ min: 5, max: 5 });
    });

    it('lets the breaker end unlimited retries within the first request', () => {
      const calls = expectedCalleeCalls(
        target({ retry: retryPolicy('forever', { durationMs: 10, maxRetries: -1 }), circuitBreaker: circuitBreakerPolicy('cb') }),
        { requests: 3 },
      );
      expect(calls.calls).to.deep.equal({ min: 6, max: 6 });
      expect(calls.requestsReachingCallee).to.deep.equal({ min: 1, max: 1 });
      expect(expectedCalleeCalls(target({ retry: retryPolicy('forever', { maxRetries: -1 }) }), { requests: 1 }).calls.max).to.equal(
        Infinity,
      );
    });

    it('is nothing for no requests', () => {
      expect(expectedCalleeCalls(app1ToAppB, { requests: 0 }).calls).to.deep.equal({ min: 0, max: 0 });
    });
  });

  describe('one request on a fresh breaker', () => {
    const retry3 = retryPolicy('r', {
      durationMs: 100,
      maxRetries: 3,
      matching: { httpStatusCodes: parseStatusCodes('429,500-599', 'http'), grpcStatusCodes: null },
    });

    it("recovers from fewer failures than retries, with the callee's answer", () => {
      expect(expectedInvocation(target({ retry: retry3 }), { failures: 2, statusCode: 503 })).to.deep.include({
        calls: { min: 3, max: 3 },
        outcome: 'success',
        callerStatus: 200,
        certain: true,
      });
    });

    it('passes the failing status through once the retries are spent, or at once when matching excludes it', () => {
      expect(expectedInvocation(target({ retry: retry3 }), { failures: 'persistent', statusCode: 503 })).to.deep.include({
        calls: { min: 4, max: 4 },
        outcome: 'callee-status',
        callerStatus: 503,
        limitedBy: 'maxRetries',
      });
      expect(expectedInvocation(target({ retry: retry3 }), { failures: 2, statusCode: 404 })).to.deep.include({
        calls: { min: 1, max: 1 },
        outcome: 'callee-status',
        callerStatus: 404,
        limitedBy: 'matching',
      });
      expect(
        expectedInvocation(target({ retry: retryPolicy('none', { maxRetries: 0 }) }), { failures: 1, statusCode: 503 }),
      ).to.deep.include({ calls: { min: 1, max: 1 }, callerStatus: 503, limitedBy: 'no-retry' });
    });

    it('retries a timed-out attempt whatever matching says, and answers 500 when the last one times out', () => {
      const policy = target({
        retry: retryPolicy('only404', {
          durationMs: 100,
          maxRetries: 2,
          matching: { httpStatusCodes: parseStatusCodes('404', 'http'), grpcStatusCodes: null },
        }),
        timeout: timeoutPolicy('t', 1000),
      });
      expect(expectedInvocation(policy, { failures: 1, timedOut: true })).to.deep.include({
        calls: { min: 2, max: 2 },
        outcome: 'success',
      });
      expect(expectedInvocation(policy, { failures: 'persistent', timedOut: true })).to.deep.include({
        calls: { min: 3, max: 3 },
        outcome: 'sidecar-error',
        callerStatus: 500,
      });
      expect(() => expectedInvocation(target({ retry: retry3 }), { failures: 1, timedOut: true })).to.throw(/no timeout/);
    });

    it('ends the retries with a sidecar error when the breaker opens under them', () => {
      const cb = circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 2' });
      expect(
        expectedInvocation(target({ retry: retry3, circuitBreaker: cb }), { failures: 'persistent', statusCode: 503 }),
      ).to.deep.include({ calls: { min: 2, max: 2 }, outcome: 'sidecar-error', callerStatus: 500, limitedBy: 'breaker' });
      expect(expectedInvocation(target({ retry: retry3, circuitBreaker: cb }), { failures: 2, statusCode: 503 })).to.deep.include({
        calls: { min: 2, max: 2 },
        outcome: 'sidecar-error',
      });
      const trips4 = circuitBreakerPolicy('cb', { trip: 'consecutiveFailures >= 4' });
      expect(
        expectedInvocation(target({ retry: retry3, circuitBreaker: trips4 }), { failures: 'persistent', statusCode: 503 }),
        'the last attempt trips it',
      ).to.deep.include({ calls: { min: 4, max: 4 }, outcome: 'callee-status', callerStatus: 503 });
    });

    it('bounds unlimited retries by the observation window, with no answer inside it', () => {
      const forever = target({ retry: retryPolicy('forever', { durationMs: 200, maxRetries: -1 }) });
      expect(expectedInvocation(forever, { failures: 'persistent', statusCode: 503 })).to.deep.include({
        outcome: 'no-answer',
        limitedBy: 'unlimited',
      });
      expect(expectedInvocation(forever, { failures: 'persistent', statusCode: 503 }).calls.max).to.equal(Infinity);
      const windowed = expectedInvocation(forever, { failures: 'persistent', statusCode: 503, withinMs: 3000 });
      expect(windowed).to.deep.include({ calls: { min: 16, max: 16 }, outcome: 'no-answer', limitedBy: 'window' });
      expect(windowed.callerStatus).to.equal(undefined);
      expect(expectedInvocation(forever, { failures: 'persistent', statusCode: 503, withinMs: 3000, attemptMs: 50 }).calls).to.deep.equal({
        min: 13,
        max: 13,
      });
      expect(
        expectedInvocation(
          target({ retry: retryPolicy('forever', { durationMs: 200, maxRetries: -1 }), circuitBreaker: circuitBreakerPolicy('cb') }),
          { failures: 'persistent', statusCode: 503, withinMs: 3000 },
        ),
      ).to.deep.include({ calls: { min: 6, max: 6 }, outcome: 'sidecar-error' });
    });
  });

  describe('descriptions for reports', () => {
    it('describes the documented appB policy and how its parts combine', () => {
      const text = describeExpectation(app1ToAppB);
      expect(text).to.match(/^calls from app1 to app appB: /);
      expect(text).to.contain('timeout "general": each attempt is cut off after 5s');
      expect(text).to.contain('retry "important": 5s between attempts, up to 30 retries (31 calls when every attempt fails)');
      expect(text).to.contain(
        'circuit breaker "simpleCB": opens after 5 failures in a row (trip: consecutiveFailures >= 5), then fails calls at once for 30s before letting 1 trial call through',
      );
      expect(text).to.contain('one breaker per endpoint (app id + method)');
      expect(text).to.contain('a timed-out attempt is retried');
      expect(text).to.contain('retries stop once it opens');
      expect(text).to.contain('streamed without a Content-Length are never retried');
      expect(text).not.to.contain('built-in');
    });

    it('describes a call with no policy and the built-in retries it keeps', () => {
      const text = describeExpectation(effectivePolicy(complete, { sidecar: 'appB', app: 'appB' }));
      expect(text).to.contain('no resiliency policy: each call is tried once');
      expect(text).to.contain(
        'DaprBuiltInServiceRetries also retries sidecar-to-sidecar transport failures (gRPC Unavailable/Unauthenticated) up to 3 times, 1s apart',
      );
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
      expect(describeRetry(retryPolicy('r', { durationMs: 5000, maxRetries: -1 }))).to.contain(
        'without limit until the call succeeds or the caller gives up',
      );
      expect(describeRetry(retryPolicy('none', { maxRetries: 0 }))).to.equal('retry "none": no retries (maxRetries 0)');
      const matching = retryPolicy('retry5xxOnly', {
        maxRetries: 3,
        matching: { httpStatusCodes: parseStatusCodes('429,500-599', 'http'), grpcStatusCodes: parseStatusCodes('1-4,8-11,13,14', 'grpc') },
      });
      expect(describeRetry(matching)).to.contain('retries only HTTP statuses 429,500-599 and only gRPC codes 1-4,8-11,13,14');
      const httpOnly = retryPolicy('withMatch', {
        maxRetries: 3,
        matching: { httpStatusCodes: parseStatusCodes('500', 'http'), grpcStatusCodes: null },
      });
      expect(describeRetry(httpOnly)).to.contain('retries only HTTP statuses 500 and every gRPC error code');
    });

    it('says when a breaker uses the default trip or never opens', () => {
      expect(describeBreaker(circuitBreakerPolicy('cb')))
        .to.contain('opens after 6 failures in a row (trip: consecutiveFailures > 5, the default)')
        .and.contain('counts never cleared');
      expect(describeBreaker(circuitBreakerPolicy('cb', { trip: 'totalSuccesses > 1', intervalMs: 8000 })))
        .to.contain('never opens while calls keep failing')
        .and.contain('counts cleared every 8s');
    });
  });
});
