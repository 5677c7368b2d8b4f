import { expect } from 'chai';
import { join } from 'node:path';
import { exitCodeFor } from '../errors/harness-error';
import { REPO_ROOT } from '../paths';
import { applyKnownDeviations, loadKnownDeviations, parseKnownDeviations } from './known-deviations';
import type { TestResult } from './results-model';
import { emptyResults } from './results-store';

const failed = (id: string): TestResult => ({
  id,
  title: id,
  suitePath: [],
  tags: [],
  status: 'failed',
  durationMs: 1,
  measurements: {},
  failure: { message: 'boom' },
});

describe('known deviations', () => {
  it('ships the state.redis partial transaction as the first entry, with an upstream link', () => {
    const [first] = loadKnownDeviations(join(REPO_ROOT, 'known-deviations.yaml'));
    expect(first).to.include({ component: 'state.redis' });
    expect(first?.test).to.contain('a transaction is atomic');
    expect(first?.link).to.match(/^https:\/\//);
  });

  it('marks a matching failure as a deviation and keeps it failed; leaves others alone', () => {
    const results = emptyResults({
      runId: 'r',
      kind: 'acceptance',
      target: { kind: 'local' },
      environment: { components: [{ name: 'statestore', type: 'state.redis' }] },
      tests: [failed('tx'), failed('other')],
    });
    const marked = applyKnownDeviations(
      results,
      parseKnownDeviations('deviations:\n  - test: tx\n    component: state.redis\n    reason: no rollback\n', 'k.yaml'),
    );
    expect(marked).to.equal(1);
    expect(results.tests[0]).to.deep.include({ status: 'failed', deviation: { component: 'state.redis', reason: 'no rollback' } });
    expect(results.tests[1]?.deviation).to.equal(undefined);
  });

  it('does not apply an entry when the deployment runs another component: there the failure stays plain', () => {
    const results = emptyResults({
      runId: 'r',
      kind: 'acceptance',
      target: { kind: 'local' },
      environment: { components: [{ name: 'statestore', type: 'state.postgresql' }] },
      tests: [failed('tx')],
    });
    expect(
      applyKnownDeviations(
        results,
        parseKnownDeviations('deviations:\n  - test: tx\n    component: state.redis\n    reason: r\n', 'k.yaml'),
      ),
    ).to.equal(0);
  });

  it('rejects a malformed file with a usage error naming file and line', () => {
    for (const [text, words] of [
      ['deviations:\n  - test: tx\n    reason: r\n  - test: y\n', "k.yaml:4: 'reason' must be a non-empty string"],
      ['deviations:\n  - test: tx\n    reason: r\n    linkk: x\n', "k.yaml:2: unknown key 'linkk'"],
      ['nothing: here\n', 'no `deviations:` list'],
      ['deviations: [\n', 'YAML syntax error'],
    ] as const) {
      try {
        parseKnownDeviations(text, 'k.yaml');
        expect.fail(`accepted ${text}`);
      } catch (err) {
        expect(exitCodeFor(err)).to.equal(2);
        expect((err as Error).message).to.contain(words);
      }
    }
  });
});
