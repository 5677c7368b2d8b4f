import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';

/** `npm run review` as a user runs it: a separate process, exit codes and output as CI sees them. */
describe('review command (CLI)', function () {
  this.timeout(60_000);
  const fixture = (...p: string[]): string => join(import.meta.dirname, ...p);

  it('reviews the reference deployment clean at --fail-on high, printing its findings and suppressions', async () => {
    const r = await runCli(['review', '--fail-on', 'high']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^MEDIUM \(\d+\)$/m);
    expect(r.stdout).to.match(/k8s\/dapr-system\/dapr-values\.yaml:\d+\s+helm-ha-disabled\s/);
    expect(r.stdout).to.match(/SUPPRESSED \(\d+\)\n {2}k8s\/dapr-system\/\S+\.yaml:\d+ helm-no-resource-limits \(medium\): /);
    // Every suppression in the project's own files still matches a finding.
    expect(r.stdout).to.not.match(/suppression-unused/);
    expect(r.stdout).to.match(/review PASSED at --fail-on high \(0 critical, 0 high, /);
  });

  it('fails the same deployment at --fail-on medium', async () => {
    const r = await runCli(['review', '--fail-on', 'medium']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/review FAILED: \d+ finding\(s\) at or above medium/);
  });

  it('exits 1 on a negative fixture, naming rule and line', async () => {
    const r = await runCli(['review', fixture('fixtures', 'mtls-disabled', 'bad.yaml')]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.match(/^CRITICAL \(1\)$/m);
    expect(r.stdout).to.match(
      /test\/review\/fixtures\/mtls-disabled\/bad\.yaml:7\s+mtls-disabled\s+Configuration\/appconfig: mTLS enabled is false/,
    );
  });

  it('exits 2 on a file it cannot parse, naming file and line', async () => {
    const r = await runCli(['review', fixture('unparsable')]);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/REVIEW_UNREADABLE: test\/review\/unparsable\/broken\.yaml:6: not valid YAML: Map keys must be unique · /);
  });

  it('exits 2 on a path that does not exist and on an unknown --fail-on', async () => {
    const missing = await runCli(['review', fixture('no-such-folder')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/no-such-folder: no such file or folder/);
    const badSeverity = await runCli(['review', '--fail-on', 'severe']);
    expect(badSeverity.code).to.equal(2);
    expect(badSeverity.stderr).to.match(/severe/);
  });

  it('writes SARIF and JSON to --output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-'));
    try {
      const sarif = join(dir, 'review.sarif');
      const r = await runCli(['review', '--format', 'sarif', '--output', sarif, fixture('fixtures', 'plaintext-secret', 'bad.yaml')]);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      const log = JSON.parse(readFileSync(sarif, 'utf8')) as {
        version: string;
        runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }>;
      };
      expect(log.version).to.equal('2.1.0');
      const hit = log.runs[0]?.results.find((x) => x.ruleId === 'plaintext-secret');
      expect(hit?.locations[0]?.physicalLocation.region.startLine).to.equal(12);
      expect(readFileSync(sarif, 'utf8')).to.not.contain('fixture-password');

      const json = await runCli([
        'review',
        '--format',
        'json',
        '--fail-on',
        'critical',
        fixture('fixtures', 'plaintext-secret', 'bad.yaml'),
      ]);
      expect(json.code).to.equal(0);
      const doc = JSON.parse(json.stdout) as { version: number; passed: boolean; counts: Record<string, number>; findings: unknown[] };
      expect(doc).to.include({ version: 1, passed: true });
      expect(doc.counts.high).to.equal(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents itself in --help', async () => {
    const r = await runCli(['review', '--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('--fail-on <severity>');
    expect(r.stdout).to.contain('# dapr-harness: ignore <rule-id> <reason>');
    expect(r.stdout.replace(/\s+/g, ' ')).to.contain('(default: dapr-components/ k8s/ system-under-test/dapr.yaml)');
  });
});
