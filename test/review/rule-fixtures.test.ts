import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { reviewCommand } from '../../harness/cli/commands/review';
import { RULE_CATALOGUE, reviewPaths } from '../../harness/review/review';

/**
 * Every rule has a folder of fixtures: good*.yaml must not trigger it, each bad*.yaml must trigger it on the lines
 * marked `# expect: <rule>` (or named by an `# expect-line: <n> <rule>` comment, for findings on a comment line).
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');

interface Expected {
  line: number;
  ruleId: string;
}

function expectations(text: string): Expected[] {
  const out: Expected[] = [];
  text.split('\n').forEach((line, i) => {
    const marker = /#\s*expect:\s*(\S+)/.exec(line);
    if (marker?.[1]) out.push({ line: i + 1, ruleId: marker[1] });
    const at = /#\s*expect-line:\s*(\d+)\s+(\S+)/.exec(line);
    if (at?.[1] && at[2]) out.push({ line: Number(at[1]), ruleId: at[2] });
  });
  return out;
}

const files = (rule: string, prefix: string): string[] =>
  readdirSync(join(FIXTURES, rule))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.yaml'))
    .map((f) => join(FIXTURES, rule, f));

describe('review rules against their fixtures', () => {
  it('every rule has a positive and a negative fixture', () => {
    const dirs = new Set(readdirSync(FIXTURES));
    for (const rule of RULE_CATALOGUE) {
      expect(dirs.has(rule.id), `test/review/fixtures/${rule.id}/ is missing`).to.equal(true);
      expect(files(rule.id, 'good').length, `${rule.id}: no good*.yaml`).to.be.greaterThan(0);
      expect(files(rule.id, 'bad').length, `${rule.id}: no bad*.yaml`).to.be.greaterThan(0);
    }
  });

  for (const rule of RULE_CATALOGUE) {
    describe(rule.id, () => {
      for (const file of files(rule.id, 'good')) {
        it(`does not fire on ${relative(FIXTURES, file)}`, () => {
          const result = reviewPaths([file]);
          expect(result.errors).to.deep.equal([]);
          const hits = result.findings.filter((f) => f.ruleId === rule.id);
          expect(hits, JSON.stringify(hits, null, 2)).to.deep.equal([]);
        });
      }
      for (const file of files(rule.id, 'bad')) {
        it(`fires on the marked lines of ${relative(FIXTURES, file)}, and the command exits 1 naming rule and line`, async () => {
          const expected = expectations(readFileSync(file, 'utf8')).filter((e) => e.ruleId === rule.id);
          expect(expected.length, 'the fixture marks no line for this rule').to.be.greaterThan(0);
          const result = reviewPaths([file]);
          expect(result.errors).to.deep.equal([]);
          const hits = result.findings.filter((f) => f.ruleId === rule.id);
          expect(
            hits.map((h) => h.line).sort((a, b) => a - b),
            JSON.stringify(hits, null, 2),
          ).to.deep.equal(expected.map((e) => e.line).sort((a, b) => a - b));
          for (const h of hits) {
            expect(h.message).to.not.match(/fixture-(password|token|not-a-real-key)/, 'a finding must never repeat the secret');
            expect(h.why).to.equal(rule.why);
          }

          const severity = hits[0]?.severity ?? rule.severity;
          let out = '';
          const code = await reviewCommand({ paths: [file], failOn: severity, out: { write: (s: string) => (out += s) } });
          expect(code, out).to.equal(1);
          const display = hits[0]?.file ?? '';
          for (const e of expected)
            expect(out).to.match(new RegExp(`${display.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${e.line}\\s+${rule.id}\\s`));
        });
      }
    });
  }
});
