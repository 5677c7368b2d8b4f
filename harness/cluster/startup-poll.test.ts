import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { pollStartup } from './startup-poll';

describe('pollStartup', () => {
  it('returns what the probe found', async () => {
    let n = 0;
    expect(await pollStartup('the second ask', async () => ++n === 2 && n, { timeoutMs: 1000, intervalMs: 1 })).to.equal(2);
  });

  it('reports a timeout as CLUSTER_NOT_READY with the last error, pointing at the logs', async () => {
    const err = await pollStartup(
      'node kwok-node-0 to be Ready',
      async () => {
        throw new Error('nodes "kwok-node-0" not found');
      },
      { timeoutMs: 30, intervalMs: 5, logs: '/tmp/env/logs' },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(HarnessError);
    expect((err as HarnessError).oneLine()).to.equal(
      'CLUSTER_NOT_READY: waited 0.03s for node kwok-node-0 to be Ready (last error: nodes "kwok-node-0" not found) · see the logs in /tmp/env/logs',
    );
  });

  it('passes an abort through as it is', async () => {
    const err = await pollStartup('never', async () => undefined, {
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
