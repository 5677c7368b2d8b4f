import { expect } from 'chai';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeFor, HarnessError } from '../../harness/errors/harness-error';
import { gateCommand } from '../../harness/gate/gate-command';
import { REPO_ROOT } from '../../harness/paths';
import { emptyResults } from '../../harness/results/results-store';
import { richResults, tempRunsRoot, writeRun } from '../support/results-fixtures';

describe('gate command', () => {
  const tmp = tempRunsRoot();
  let out = '';
  const sink = { write: (s: string): boolean => ((out += s), true) };
  const criteria = (name: string, text: string): string => {
    const file = join(tmp.root, name);
    writeFileSync(file, text);
    return file;
  };
  const failingRun = writeRun(tmp.root, richResults({ runId: 'failing' }));
  const passingRun = writeRun(
    tmp.root,
    richResults({
      runId: 'passing',
      tests: richResults().tests.filter((t) => t.status === 'passed'),
      chaos: richResults().chaos.filter((c) => c.passed),
    }),
  );

  beforeEach(() => {
    out = '';
  });
  after(() => tmp.remove());

  async function usageFailure(run: () => Promise<number>): Promise<HarnessError> {
    try {
      await run();
    } catch (err) {
      expect(err).to.be.instanceOf(HarnessError);
      expect(exitCodeFor(err)).to.equal(2);
      return err as HarnessError;
    }
    throw new Error('expected a usage error');
  }

  it('returns 0 and prints the table when every criterion passes', async () => {
    const code = await gateCommand({ criteria: join(REPO_ROOT, 'criteria.yaml'), results: passingRun, out: sink });
    expect(code, out).to.equal(0);
    expect(out).to.match(/CRITERION\s+SERIES\s+THRESHOLD\s+MEASURED\s+VERDICT/);
    expect(out).to.match(/pubsub\.delivery_rate\s+subscriber=audit\s+rate>=0\.999\s+0\.9995\s+pass/);
    expect(out).to.contain('gate PASSED');
    expect(out).to.not.contain('FAIL');
  });

  it('returns 1 and names the failing criterion, series and line when one fails', async () => {
    const file = criteria('strict.yaml', "criteria:\n  pubsub.delivery_rate: ['rate>=0.9999']\n  tests.acceptance: ['failed==0']\n");
    const code = await gateCommand({ criteria: file, results: failingRun, out: sink });
    expect(code).to.equal(1);
    expect(out).to.match(/pubsub\.delivery_rate\s+subscriber=audit\s+rate>=0\.9999\s+0\.9995\s+FAIL/);
    expect(out).to.contain(`${file}:2: pubsub.delivery_rate [subscriber=audit] rate>=0.9999: 0.9995`);
    expect(out).to.contain(
      `${file}:3: tests.acceptance failed==0: 1 (failing: saves and reads back with etag · skipped: metadata lists the components (no reason))`,
    );
    expect(out).to.contain('gate FAILED: 2 of');
  });

  it('returns 1 when a required metric was not measured', async () => {
    const file = criteria('unmeasured.yaml', "criteria:\n  invoke.sidecar_overhead: ['value<1']\n");
    expect(await gateCommand({ criteria: file, results: passingRun, out: sink })).to.equal(1);
    expect(out).to.match(/invoke\.sidecar_overhead\s+-\s+value<1\s+not measured\s+FAIL \(not measured\)/);
  });

  it('follows a reports/latest style link and judges several runs together', async () => {
    const latest = join(tmp.root, 'latest');
    symlinkSync('passing', latest);
    const acceptance = writeRun(
      tmp.root,
      emptyResults({
        runId: 'acceptance-only',
        kind: 'acceptance',
        target: { kind: 'local' },
        tests: richResults().tests.filter((t) => t.status === 'passed'),
      }),
    );
    const file = criteria('two.yaml', "criteria:\n  tests.acceptance: ['failed==0']\n  state.success_rate: ['rate>=0.995']\n");
    expect(await gateCommand({ criteria: file, results: [acceptance, latest], out: sink })).to.equal(0);
    expect(out).to.match(/VERDICT\s+RUN/);
    expect(out).to.match(/tests\.acceptance\s+-\s+failed==0\s+0\s+pass\s+acceptance-only/);
  });

  it('throws a usage error (exit 2) for a malformed criteria file, naming its line', async () => {
    const file = criteria('broken.yaml', "criteria:\n  pubsub.e2e_latency: ['p(99)<1000']\n  state.success_rate: ['rate=>0.995']\n");
    const err = await usageFailure(() => gateCommand({ criteria: file, results: passingRun, out: sink }));
    expect(err.message).to.contain(`${file}:3:`);
    expect(err.message).to.contain("'rate=>0.995' is not a threshold");
    expect(out).to.equal('');
  });

  it('throws a usage error for a missing criteria file', async () => {
    const err = await usageFailure(() => gateCommand({ criteria: join(tmp.root, 'nope.yaml'), results: passingRun, out: sink }));
    expect(err.code).to.equal('CRITERIA_MISSING');
  });

  it('throws a usage error for missing or invalid results', async () => {
    const good = join(REPO_ROOT, 'criteria.yaml');
    const missing = await usageFailure(() => gateCommand({ criteria: good, results: join(tmp.root, 'no-such-run'), out: sink }));
    expect(missing.code).to.equal('RESULTS_MISSING');
    const damaged = join(tmp.root, 'damaged');
    mkdirSync(damaged);
    writeFileSync(join(damaged, 'results.json'), '{"schemaVersion": 1, "runId": ');
    expect((await usageFailure(() => gateCommand({ criteria: good, results: damaged, out: sink }))).code).to.equal('RESULTS_INVALID');
    const wrongShape = join(tmp.root, 'wrong-shape');
    mkdirSync(wrongShape);
    writeFileSync(join(wrongShape, 'results.json'), JSON.stringify({ schemaVersion: 99, runId: 'x' }));
    expect((await usageFailure(() => gateCommand({ criteria: good, results: wrongShape, out: sink }))).code).to.equal('RESULTS_INVALID');
  });
});
