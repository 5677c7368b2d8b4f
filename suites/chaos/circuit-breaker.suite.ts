import { measure } from '../../harness/suite-runner/suite-context';
import { http } from '../support/http';
import { CALLEE, referenceSite } from '../support/invocation-site';
import { appUrlOf, resetFaults } from '../support/sut';
import { breakerProbe } from '../support/invocation-probes';

describe('chaos: the circuit breaker of service invocation under the Resiliency policy', () => {
  before(async () => {
    await resetFaults([CALLEE]);
  });

  it('the circuit breaker trips at the computed point, fails fast while open, half-opens after its timeout and closes after maxRequests successful trials', async function () {
    this.timeout(120_000);
    const result = await breakerProbe(referenceSite);
    measure(this, 'callsBeforeOpen', result.observed.calleeCallsBeforeOpen ?? -1);
  });
});

// Keep the app reachable for the next suite even if a probe failed half-way.
after(async () => {
  const url = appUrlOf(CALLEE);
  if (url) await http(`${url}/faults`, { method: 'DELETE' });
});
