import { expect } from 'chai';
import type { Finding } from './finding';
import { applySuppressions, findSuppressions } from './suppressions';

const finding = (line: number, ruleId = 'component-unscoped'): Finding => ({
  ruleId,
  severity: 'medium',
  file: 'c.yaml',
  line,
  column: 1,
  message: 'm',
  why: 'w',
  fix: 'f',
});
const known = new Set(['component-unscoped', 'acl-missing']);

describe('suppression comments', () => {
  it('a comment on its own line applies to the next line that is not blank or a comment', () => {
    const text = 'a: 1\n# dapr-harness: ignore component-unscoped shared by every app\n\n# another comment\nname: x\n';
    expect(findSuppressions('c.yaml', text)).to.deep.equal([
      { file: 'c.yaml', line: 2, targetLine: 5, ruleId: 'component-unscoped', reason: 'shared by every app' },
    ]);
  });

  it('a trailing comment applies to its own line', () => {
    const [c] = findSuppressions('c.yaml', 'name: x # dapr-harness: ignore acl-missing not an app configuration\n');
    expect(c).to.include({ line: 1, targetLine: 1, ruleId: 'acl-missing', reason: 'not an app configuration' });
  });

  it('suppresses only the named rule on the target line, and reports the reason', () => {
    const comments = findSuppressions('c.yaml', '# dapr-harness: ignore component-unscoped reviewed\nname: x\n');
    const { findings, suppressed } = applySuppressions([finding(2), finding(2, 'acl-missing'), finding(3)], comments, known);
    expect(suppressed).to.deep.equal([{ finding: finding(2), reason: 'reviewed', commentLine: 1 }]);
    expect(findings.map((f) => `${f.ruleId}@${f.line}`)).to.deep.equal(['acl-missing@2', 'component-unscoped@3']);
  });

  it('a comment without a reason or with an unknown rule suppresses nothing and is itself a finding', () => {
    const comments = findSuppressions(
      'c.yaml',
      '# dapr-harness: ignore component-unscoped\n# dapr-harness: ignore no-such-rule because\nname: x\n',
    );
    const { findings, suppressed } = applySuppressions([finding(3)], comments, known);
    expect(suppressed).to.deep.equal([]);
    expect(findings.map((f) => `${f.ruleId}@${f.line}`)).to.deep.equal([
      'component-unscoped@3',
      'suppression-invalid@1',
      'suppression-invalid@2',
    ]);
    expect(findings[1]?.message).to.contain('gives no reason');
    expect(findings[2]?.message).to.contain('unknown rule "no-such-rule"');
  });

  it('a comment that matches nothing is reported as unused', () => {
    const comments = findSuppressions('c.yaml', '# dapr-harness: ignore component-unscoped stale\nname: x\n');
    const { findings } = applySuppressions([], comments, known);
    expect(findings).to.have.length(1);
    expect(findings[0]).to.include({ ruleId: 'suppression-unused', line: 1, severity: 'info' });
  });
});
