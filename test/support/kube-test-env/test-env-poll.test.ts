import { expect } from 'chai';
import { HarnessError } from '../../../harness/errors/harness-error';
import { pollTestEnv } from './test-env-poll';

describe('pollTestEnv', () => {
  it('returns what the probe found', async () => {
    let n = 0;
    expect(await pollTestEnv('the second ask', async () => ++n === 2 && n, { timeoutMs: 1000, intervalMs: 1 })).to.equal(2);
  });

  it('reports a timeout as KUBE_TEST_ENV_NOT_READY with the last error, pointing at the logs', async () => {
    const err = await pollTestEnv(
      'node kwok-node-0 to be Ready',
      async () => {
        throw new Error('nodes "kwok-node-0" not found');
      },
      { timeoutMs: 30, intervalMs: 5 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(HarnessError);
    expect((err as HarnessError).oneLine()).to.equal(
      'KUBE_TEST_ENV_NOT_READY: waited 0.03s for node kwok-node-0 to be Ready (last error: nodes "kwok-node-0" not found) · see the logs in the test env dir',
    );
  });

  it('passes an abort through as it is', async () => {
    const err = await pollTestEnv('never', async () => undefined, {
      timeoutMs: 5000,
      intervalMs: 5,
      signal: AbortSignal.abort(new Error('stopped')),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal('stopped');
  });
});
