import { measure } from '../../harness/suite-runner/suite-context';
import { http } from '../support/http';
import { CALLEE, referenceSite } from '../support/invocation-site';
import { appUrlOf, resetFaults } from '../support/sut';
import { timeoutProbe } from '../support/invocation-probes';

describe('chaos: timeouts of service invocation under the Resiliency policy', () => {
  before(async () => {
    await resetFaults([CALLEE]);
  });

  it('a callee slower than the policy timeout is cut at the timeout and retried per policy', async function () {
    const result = await timeoutProbe(referenceSite);
    measure(this, 'elapsedMs', result.observed.elapsedMs ?? -1);
  });
});

// Keep the app reachable for the next suite even if a probe failed half-way.
after(async () => {
  const url = appUrlOf(CALLEE);
  if (url) await http(`${url}/faults`, { method: 'DELETE' });
});
