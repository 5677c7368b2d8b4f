import { expect } from 'chai';
import type { ChaosResult } from '../../harness/results/results-model';
import { setSuiteContext, suiteContextOrUndefined, type SuiteContext } from '../../harness/suite-runner/suite-context';
import type { Deployment } from '../../harness/targets/deployment';
import { chaosProbe, formatRange, ProbeFailure } from '../../suites/support/chaos-probe';

describe('chaosProbe: one record per probe, whatever happens', () => {
  const recorded: ChaosResult[] = [];
  let previous: SuiteContext | undefined;

  before(() => {
    previous = suiteContextOrUndefined();
    setSuiteContext({ deployment: {} as Deployment, runDir: '', recordChaos: (r) => recorded.push(r) });
  });
  after(() => setSuiteContext(previous));
  beforeEach(() => {
    recorded.length = 0;
  });

  it('records a passing probe with its expected and observed values', async () => {
    const result = await chaosProbe({ probe: 'p', target: 'a → b' }, async (r) => {
      r.policy = 'retry "x"';
      r.equal('status', 200, 200);
      r.within('calls', { min: 3, max: 3 }, 3);
      r.within('window', { min: 11, max: 16 }, 13);
      r.observe('ms', 12);
    });
    expect(recorded).to.deep.equal([result]);
    expect(result).to.deep.equal({
      probe: 'p',
      target: 'a → b',
      policy: 'retry "x"',
      expected: { status: 200, calls: 3, window: '11..16' },
      observed: { status: 200, calls: 3, window: 13, ms: 12 },
      passed: true,
    });
  });

  it('fails on every mismatch at once and records them, failed', async () => {
    const err = await chaosProbe({ probe: 'p', target: 't' }, async (r) => {
      r.equal('status', 200, 503, 'retries spent');
      r.within('calls', { min: 3, max: 3 }, 1);
      r.equal('fine', 1, 1);
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ProbeFailure);
    expect((err as Error).message).to.equal('p (t): status: expected 200, observed 503 (retries spent); calls: expected 3, observed 1');
    expect(recorded).to.have.length(1);
    expect(recorded[0]).to.deep.include({ passed: false });
    expect(recorded[0]?.note).to.contain('mismatch: status: expected 200, observed 503');
    expect((err as ProbeFailure).result).to.equal(recorded[0]);
  });

  it('records a probe that throws as failed, with the error as its note and what it had observed so far, and rethrows', async () => {
    const err = await chaosProbe({ probe: 'p', target: 't' }, async (r) => {
      r.observe('before', 1);
      throw new Error('sidecar unreachable');
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.equal('sidecar unreachable');
    expect(recorded).to.have.length(1);
    expect(recorded[0]).to.deep.include({
      passed: false,
      observed: { before: 1 },
      note: 'probe failed before it finished: sidecar unreachable',
    });
  });

  it('shows ranges as one number when they are one, and unbounded ends as ∞', () => {
    expect(formatRange({ min: 4, max: 4 })).to.equal(4);
    expect(formatRange({ min: 625.2, max: 3375.7 })).to.equal('625..3376');
    expect(formatRange({ min: 2, max: Infinity })).to.equal('2..∞');
    expect(formatRange({ min: Infinity, max: Infinity })).to.equal('∞');
  });
});
