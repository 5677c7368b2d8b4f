import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_CATALOGUE } from '../../harness/review/review';
import { REPO_ROOT } from '../../harness/paths';

describe('security review documentation', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'security-review.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([a-z0-9-]+)` \| ([a-z]+) \|/gm)].map((m) => [m[1], m[2]]));

  it('lists every rule once, with its default severity', () => {
    for (const rule of RULE_CATALOGUE) expect(rows.get(rule.id), rule.id).to.equal(rule.severity);
    expect([...rows.keys()]).to.have.length(RULE_CATALOGUE.length);
  });

  it('shows the suppression comment', () => {
    expect(doc).to.contain('# dapr-harness: ignore <rule-id> <reason>');
  });
});
