import { expect } from 'chai';
import { builtInRetries } from './built-in-policies';
import { retryPolicy } from './policy-definitions';
import { expectedAttempts, retryDelaysMs } from './retry-schedule';
import { parseStatusCodes } from './status-code-match';

const constant = (durationMs: number, maxRetries: number) => retryPolicy('c', { policy: 'constant', durationMs, maxRetries });
const exponential = (maxIntervalMs: number, maxRetries = -1, extra = {}) =>
  retryPolicy('e', { policy: 'exponential', maxIntervalMs, maxRetries, ...extra });

describe('retry schedule', () => {
  describe('retryDelaysMs', () => {
    it('waits duration before every retry under constant back-off, up to maxRetries', () => {
      expect(retryDelaysMs(constant(5000, 10), 3)).to.deep.equal([
        { intervalMs: 5000, minMs: 5000, maxMs: 5000 },
        { intervalMs: 5000, minMs: 5000, maxMs: 5000 },
        { intervalMs: 5000, minMs: 5000, maxMs: 5000 },
      ]);
      expect(retryDelaysMs(constant(100, 2), 5)).to.have.length(2);
      expect(retryDelaysMs(constant(100, 0), 5)).to.deep.equal([]);
      expect(retryDelaysMs(constant(100, -1), 4)).to.have.length(4);
    });

    it("grows exponential intervals ×1.5 from 500ms to maxInterval with Go's nanosecond truncation", () => {
      // The intervals cenkalti/backoff v4.3.0 produces with randomization off, maxInterval 60s.
      const fromGo = [
        500, 750, 1125, 1687.5, 2531.25, 3796.875, 5695.3125, 8542.96875, 12814.453125, 19221.679687, 28832.51953, 43248.779295, 60000,
        60000,
      ];
      const delays = retryDelaysMs(exponential(60_000), fromGo.length);
      expect(delays.map((d) => d.intervalMs)).to.deep.equal(fromGo);
      expect(delays[0]).to.deep.equal({ intervalMs: 500, minMs: 250, maxMs: 750 });
      expect(delays[13]).to.deep.equal({ intervalMs: 60_000, minMs: 30_000, maxMs: 90_000 });
    });

    it('caps the interval, not the jittered wait, and never caps the first interval', () => {
      expect(
        retryDelaysMs(exponential(15_000), 12)
          .map((d) => d.intervalMs)
          .slice(8),
      ).to.deep.equal([12814.453125, 15_000, 15_000, 15_000]);
      expect(retryDelaysMs(exponential(1000), 4).map((d) => d.intervalMs)).to.deep.equal([500, 750, 1000, 1000]);
      // maxInterval below the initial interval: the first wait is still drawn around 500ms.
      expect(retryDelaysMs(exponential(100), 3).map((d) => d.intervalMs)).to.deep.equal([500, 100, 100]);
      expect(retryDelaysMs(exponential(15_000), 12)[11]?.maxMs).to.equal(22_500);
    });

    it('honours maxRetries for exponential too', () => {
      expect(retryDelaysMs(exponential(15_000, 2), 10)).to.have.length(2);
    });
  });

  describe('expectedAttempts', () => {
    it('is one call without a retry policy, with maxRetries 0, or when the first call succeeds', () => {
      expect(expectedAttempts(undefined, { failures: 'persistent' })).to.deep.equal({ min: 1, max: 1, limitedBy: 'no-retry' });
      expect(expectedAttempts(constant(10, 0), { failures: 'persistent' })).to.deep.equal({ min: 1, max: 1, limitedBy: 'no-retry' });
      expect(expectedAttempts(constant(10, 3), { failures: 0 })).to.deep.equal({ min: 1, max: 1, limitedBy: 'success' });
    });

    it('is min(failures, maxRetries) + 1, and maxRetries + 1 for a persistent failure', () => {
      expect(expectedAttempts(constant(5000, 10), { failures: 3 })).to.deep.equal({ min: 4, max: 4, limitedBy: 'success' });
      expect(expectedAttempts(constant(5000, 10), { failures: 10 })).to.deep.equal({ min: 11, max: 11, limitedBy: 'success' });
      expect(expectedAttempts(constant(5000, 10), { failures: 25 })).to.deep.equal({ min: 11, max: 11, limitedBy: 'maxRetries' });
      expect(expectedAttempts(constant(5000, 10), { failures: 'persistent' })).to.deep.equal({ min: 11, max: 11, limitedBy: 'maxRetries' });
      expect(expectedAttempts(constant(5000, -1), { failures: 7 })).to.deep.equal({ min: 8, max: 8, limitedBy: 'success' });
    });

    it('has no bound for a constant policy with -1 and a persistent failure', () => {
      expect(expectedAttempts(constant(5000, -1), { failures: 'persistent' })).to.deep.equal({
        min: Infinity,
        max: Infinity,
        limitedBy: 'unlimited',
      });
    });

    it('counts only the attempts that start within a window', () => {
      // Attempts start at 0, 5s, 10s: three within 12s.
      expect(expectedAttempts(constant(5000, -1), { failures: 'persistent', withinMs: 12_000 })).to.deep.equal({
        min: 3,
        max: 3,
        limitedBy: 'window',
      });
      // Each failed attempt taking 1s (e.g. a 1s timeout): starts at 0, 6s, 12s.
      expect(expectedAttempts(constant(5000, -1), { failures: 'persistent', withinMs: 12_000, attemptMs: 1000 })).to.deep.equal({
        min: 3,
        max: 3,
        limitedBy: 'window',
      });
      expect(expectedAttempts(constant(5000, -1), { failures: 'persistent', withinMs: 11_999, attemptMs: 1000 })).to.deep.equal({
        min: 2,
        max: 2,
        limitedBy: 'window',
      });
      expect(expectedAttempts(constant(5000, 1), { failures: 'persistent', withinMs: 60_000 })).to.deep.equal({
        min: 2,
        max: 2,
        limitedBy: 'maxRetries',
      });
      expect(expectedAttempts(constant(0, -1), { failures: 'persistent', withinMs: 1000 }).max).to.equal(Infinity);
    });

    it('stops exponential back-off at maxElapsed, with a range for the jitter', () => {
      // With jitter off, cenkalti/backoff makes 10 retries within 10s at maxInterval 1s (500, 750, then 1000 each).
      const noJitter = exponential(1000, -1, { maxElapsedMs: 10_000, randomizationFactor: 0 });
      expect(expectedAttempts(noJitter, { failures: 'persistent' })).to.deep.equal({ min: 11, max: 11, limitedBy: 'maxElapsed' });
      // ±50%: waits of 250/375/500… fit 20 retries, waits of 750/1125/1500… fit 7.
      const jittered = exponential(1000, -1, { maxElapsedMs: 10_000 });
      expect(expectedAttempts(jittered, { failures: 'persistent' })).to.deep.equal({ min: 8, max: 21, limitedBy: 'maxElapsed' });
      expect(expectedAttempts(jittered, { failures: 3 })).to.deep.equal({ min: 4, max: 4, limitedBy: 'success' });
    });

    it('bounds the documented "retryForever" (exponential, maxRetries -1) by the 15 minute maxElapsed', () => {
      const forever = exponential(15_000);
      const attempts = expectedAttempts(forever, { failures: 'persistent' });
      // cenkalti/backoff with jitter off stops after 66 retries within 15m at maxInterval 15s.
      expect(expectedAttempts({ ...forever, randomizationFactor: 0 }, { failures: 'persistent' })).to.deep.equal({
        min: 67,
        max: 67,
        limitedBy: 'maxElapsed',
      });
      expect(attempts).to.deep.equal({ min: 47, max: 127, limitedBy: 'maxElapsed' });
      // A slow callee leaves room for fewer attempts.
      expect(expectedAttempts(forever, { failures: 'persistent', attemptMs: 5000 }).max).to.be.lessThan(attempts.max);
    });

    it('makes a status the policy does not list final after the first attempt', () => {
      const retry5xx = retryPolicy('r', {
        maxRetries: 3,
        matching: { httpStatusCodes: parseStatusCodes('429,500-599', 'http'), grpcStatusCodes: null },
      });
      expect(expectedAttempts(retry5xx, { failures: 'persistent', statusCode: 503 })).to.deep.equal({
        min: 4,
        max: 4,
        limitedBy: 'maxRetries',
      });
      expect(expectedAttempts(retry5xx, { failures: 'persistent', statusCode: 404 })).to.deep.equal({
        min: 1,
        max: 1,
        limitedBy: 'matching',
      });
      expect(expectedAttempts(retry5xx, { failures: 'persistent', statusCode: 14 })).to.deep.equal({
        min: 4,
        max: 4,
        limitedBy: 'maxRetries',
      });
    });

    it('gives the built-in initialization retries their 4 calls', () => {
      const init = builtInRetries().DaprBuiltInInitializationRetries;
      expect(retryDelaysMs(init, 5).map((d) => d.intervalMs)).to.deep.equal([500, 750, 1000]);
      expect(expectedAttempts(init, { failures: 'persistent' })).to.deep.equal({ min: 4, max: 4, limitedBy: 'maxRetries' });
      expect(expectedAttempts(builtInRetries().DaprBuiltInServiceRetries, { failures: 'persistent' })).to.deep.equal({
        min: 4,
        max: 4,
        limitedBy: 'maxRetries',
      });
    });
  });
});
