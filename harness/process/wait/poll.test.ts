import { expect } from 'chai';
import { poll, PollTimeoutError } from './poll';

describe('poll', () => {
  it('returns the first value the probe gives, treating throws, undefined and false as not yet', async () => {
    let n = 0;
    const value = await poll(
      'third time',
      async () => {
        n++;
        if (n === 1) throw new Error('not up');
        if (n === 2) return false;
        return n;
      },
      { intervalMs: 1 },
    );
    expect(value).to.equal(3);
  });

  it('gives up at the deadline naming what it waited for and the last error', async () => {
    const err = await poll(
      'the broker',
      async () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PollTimeoutError);
    expect((err as Error).message).to.equal('the broker did not happen within 30 ms (last error: connection refused)');
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 20);
    const err = await poll('never', async () => undefined, { timeoutMs: 5000, intervalMs: 5, signal: controller.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal('cancelled');
  });
});
