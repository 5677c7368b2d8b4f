import { expect } from 'chai';
import { formatFinding } from './resiliency-finding';

describe('resiliency findings', () => {
  it('formats a finding on one line with where it was written', () => {
    expect(
      formatFinding({
        code: 'unused-policy',
        severity: 'warning',
        message: 'retry "x" applies to nothing',
        document: 'r.yaml',
        field: 'spec.policies.retries.x',
      }),
    ).to.equal('warning unused-policy (r.yaml: spec.policies.retries.x): retry "x" applies to nothing');
    expect(formatFinding({ code: 'reference-out-of-scope', severity: 'warning', message: 'm', field: 'f', sidecar: 'app2' })).to.equal(
      'warning reference-out-of-scope (f) [sidecar app2]: m',
    );
    expect(formatFinding({ code: 'c', severity: 'info', message: 'm' })).to.equal('info c: m');
  });
});
