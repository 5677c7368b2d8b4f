import { measure } from '../../harness/suite-runner/suite-context';
import { formatFinding } from '../../harness/resiliency';
import { chaosProbe } from '../support/chaos-probe';
import { resolvedResiliency } from '../support/resiliency';

describe('chaos: the declared Resiliency policies apply to the deployment', () => {
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
  return resolvedResiliency()
    .findings.filter((f) => f.severity !== 'info')
    .map(formatFinding);
}
