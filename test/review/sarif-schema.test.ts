import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { reviewSarif } from '../../harness/review/format-sarif';
import { DEFAULT_REVIEW_PATHS, RULE_CATALOGUE, reviewPaths } from '../../harness/review/review';
import { REPO_ROOT } from '../../harness/paths';

/**
 * The SARIF output against the official SARIF 2.1.0 schema (2.1.0-rtm.5, as shipped by Microsoft's SARIF SDK in
 * @microsoft/jest-sarif), not a copy of our own. The schema is draft-04, hence ajv's draft-04 class.
 */
const require = createRequire(import.meta.url);
const SCHEMA_FILE = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

describe('SARIF output', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  // The schema's language pattern (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]` that only a
  // non-unicode RegExp accepts, as the JSON Schema validators of its time did.
  const ajv = new Ajv4({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const check = (log: object): void => {
    const ok = validate(log);
    expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).to.equal(true);
  };

  it('is checked against the schema of SARIF version 2.1.0', () => {
    expect(String(schema.title)).to.match(/SARIF\) Version 2\.1\.0/);
  });

  it('validates for the reference deployment, suppressed findings included', () => {
    const result = reviewPaths(DEFAULT_REVIEW_PATHS.map((p) => join(REPO_ROOT, p)));
    expect(result.suppressed.length).to.be.greaterThan(0);
    const log = reviewSarif(result, RULE_CATALOGUE) as { runs: Array<{ results: Array<{ suppressions?: unknown[] }> }> };
    check(log);
    expect(log.runs[0]?.results.filter((r) => r.suppressions).length).to.equal(result.suppressed.length);
  });

  it('validates with a finding of every rule and with an unparsable file', () => {
    const fixtures = join(import.meta.dirname, 'fixtures');
    const bad = readdirSync(fixtures).flatMap((rule) =>
      readdirSync(join(fixtures, rule))
        .filter((f) => f.startsWith('bad'))
        .map((f) => join(fixtures, rule, f)),
    );
    const result = reviewPaths([...bad, join(import.meta.dirname, 'unparsable')]);
    expect(new Set(result.findings.map((f) => f.ruleId))).to.have.property('size', RULE_CATALOGUE.length);
    expect(result.errors).to.have.length(1);
    const log = reviewSarif(result, RULE_CATALOGUE) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean }> }> };
    check(log);
    expect(log.runs[0]?.invocations[0]?.executionSuccessful).to.equal(false);
  });

  it('rejects a log that breaks the schema, so the check can fail', () => {
    const result = reviewPaths([join(import.meta.dirname, 'fixtures', 'mtls-disabled', 'bad.yaml')]);
    const log = reviewSarif(result, RULE_CATALOGUE) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    const first = log.runs[0]?.results[0];
    if (first) first.level = 'fatal';
    expect(validate(log)).to.equal(false);
  });
});
