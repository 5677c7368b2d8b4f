import { measure } from '../../harness/suites/suite-context';
import { formatFinding } from '../../harness/resiliency';
import { chaosProbe } from '../support/chaos-probe';
import { http, uniqueId } from '../support/http';
import { breakerProbe, persistentProbe, timeoutProbe, transientProbe, type InvocationSite } from '../support/invocation-probes';
import { resolvedResiliency } from '../support/resiliency';
import { APPS, appUrlOf, invoke, resetFaults } from '../support/sut';

const CALLER = APPS.sample;
const CALLEE = APPS.tasks;

/**
 * Every probe reads a task of its own: daprd keys the callee's breakers by method (`tasks/<id>`), so each probe
 * starts on a fresh breaker, whatever an earlier probe (or an earlier run against the same sidecars) left open.
 */
const site: InvocationSite = {
  caller: CALLER,
  callee: CALLEE,
  async freshMethod(label) {
    const res = await invoke<{ task: { id: string } }>(CALLER, CALLEE, 'tasks', { method: 'POST', json: { title: uniqueId(`chaos-${label}`) } });
    if (res.status !== 201) throw new Error(`creating a task for the ${label} probe answered ${res.status}: ${res.text}`);
    return `tasks/${res.body.task.id}`;
  },
};

describe('chaos: service invocation under the Resiliency policy', () => {
  before(async () => {
    await resetFaults([CALLEE]);
  });

  it('transient failures: the callee sees the calls and the caller the status the policy derives (retries, matching, breaker)', async function () {
    const result = await transientProbe(site);
    measure(this, 'calleeCalls', result.observed.calleeCalls ?? -1);
  });

  it('a persistent failure: calls end where the policy (retries, breaker, or an observation window when unlimited) ends them', async function () {
    const result = await persistentProbe(site);
    measure(this, 'calleeCalls', result.observed.calleeCalls ?? -1);
  });

  it('a callee slower than the policy timeout is cut at the timeout and retried per policy', async function () {
    const result = await timeoutProbe(site);
    measure(this, 'elapsedMs', result.observed.elapsedMs ?? -1);
  });

  it('the circuit breaker trips at the computed point, fails fast while open, half-opens after its timeout and closes after maxRequests successful trials', async function () {
    this.timeout(120_000);
    const result = await breakerProbe(site);
    measure(this, 'callsBeforeOpen', result.observed.calleeCallsBeforeOpen ?? -1);
  });

  it('every declared policy applies to something: no target names a missing app or component', async function () {
    await chaosProbe({ probe: 'policies apply to the deployment', target: 'Resiliency' }, async (record) => {
      const findings = resolvedFindings();
      measure(this, 'findings', findings.length);
      record.equal('findings', 0, findings.length, findings.join('; '));
    });
  });
});

/** Findings that mean a declared policy does not apply as written (info-level notes are left to the report). */
function resolvedFindings(): string[] {
  return resolvedResiliency().findings.filter((f) => f.severity !== 'info').map(formatFinding);
}

// Keep the app reachable for the next suite even if a probe failed half-way.
after(async () => {
  const url = appUrlOf(CALLEE);
  if (url) await http(`${url}/faults`, { method: 'DELETE' });
});
