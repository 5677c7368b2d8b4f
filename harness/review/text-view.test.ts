import { expect } from 'chai';
import type { Finding } from './finding';
import type { ReviewResult } from './review';
import { reviewTextView } from './text-view';

const f = (ruleId: string, severity: Finding['severity'], line: number): Finding => ({
  ruleId,
  severity,
  file: 'a.yaml',
  line,
  column: 1,
  message: `${ruleId} here`,
  why: `why ${ruleId}`,
  fix: `fix ${ruleId}`,
});
const result = (findings: Finding[], extra: Partial<ReviewResult> = {}): ReviewResult => ({
  findings,
  suppressed: [],
  errors: [],
  filesReviewed: 1,
  resourcesReviewed: 2,
  ...extra,
});

describe('review text view', () => {
  it("groups findings by severity, most severe first, with each rule's why and fix once", () => {
    const view = reviewTextView(result([f('a', 'high', 1), f('a', 'high', 9), f('b', 'low', 3)]), 'high');
    expect(view.groups.map((g) => g.heading)).to.deep.equal(['HIGH (2)', 'LOW (1)']);
    expect(view.groups[0]?.rows).to.deep.equal([
      ['a.yaml:1', 'a', 'a here'],
      ['a.yaml:9', 'a', 'a here'],
    ]);
    expect(view.groups[0]?.notes).to.deep.equal(['a: why a · fix: fix a']);
    expect(view.verdict).to.match(/^review FAILED: 2 finding\(s\) at or above high/);
  });

  it('passes when nothing reaches --fail-on, and says so with the tally', () => {
    expect(reviewTextView(result([f('b', 'medium', 3)]), 'high').verdict).to.equal(
      'review PASSED at --fail-on high (0 critical, 0 high, 1 medium, 0 low, 0 info; 0 suppressed; 1 files, 2 resources)',
    );
  });

  it('calls a review with unreadable files incomplete', () => {
    const view = reviewTextView(result([], { errors: [{ file: 'b.yaml', line: 4, message: 'not valid YAML' }] }), 'high');
    expect(view.errors).to.deep.equal(['b.yaml:4: not valid YAML']);
    expect(view.verdict).to.match(/^review INCOMPLETE/);
  });
});
