import { measure } from '../../harness/suite-runner/suite-context';
import { http } from '../support/http';
import { CALLEE, referenceSite } from '../support/invocation-site';
import { appUrlOf, resetFaults } from '../support/sut';
import { persistentProbe, transientProbe } from '../support/invocation-probes';

describe('chaos: retries of service invocation under the Resiliency policy', () => {
  before(async () => {
    await resetFaults([CALLEE]);
  });

  it('transient failures: the callee sees the calls and the caller the status the policy derives (retries, matching, breaker)', async function () {
    const result = await transientProbe(referenceSite);
    measure(this, 'calleeCalls', result.observed.calleeCalls ?? -1);
  });
  it('a persistent failure: calls end where the policy (retries, breaker, or an observation window when unlimited) ends them', async function () {
    const result = await persistentProbe(referenceSite);
    measure(this, 'calleeCalls', result.observed.calleeCalls ?? -1);
  });
});

// Keep the app reachable for the next suite even if a probe failed half-way.
after(async () => {
  const url = appUrlOf(CALLEE);
  if (url) await http(`${url}/faults`, { method: 'DELETE' });
});
