import { expect } from 'chai';
import { consoleSummary } from '../console/console-summary';
import { junitXml } from './junit';
import type { TestResult } from './results-model';
import { emptyResults } from './results-store';
import { countOutcomes, runOutcome, storyVerdict } from './test-outcome';

const t = (id: string, status: TestResult['status'], more: Partial<TestResult> = {}): TestResult => ({
  id,
  title: id,
  suitePath: [more.tags?.[0] ?? 'platform'],
  tags: [],
  status,
  durationMs: 1,
  measurements: {},
  ...more,
});
const run = (tests: TestResult[]) => emptyResults({ runId: 'r', kind: 'acceptance', target: { kind: 'local' }, tests });

describe('test outcomes: a skip is never a pass', () => {
  it('fails a run in which a test was skipped, and one in which every test was skipped', () => {
    expect(runOutcome(run([t('a', 'passed'), t('b', 'skipped')])).ok).to.equal(false);
    const allSkipped = runOutcome(run([t('a', 'skipped'), t('b', 'skipped')]));
    expect(allSkipped.ok).to.equal(false);
    expect(allSkipped.reasons).to.include('2 skipped');
  });

  it('fails a run in which nothing ran, an interrupted run, and a run with a run error', () => {
    expect(runOutcome(run([])).reasons).to.include('no test ran');
    expect(runOutcome({ ...run([t('a', 'passed')]), partial: true }).ok).to.equal(false);
    expect(runOutcome({ ...run([t('a', 'passed')]), errors: [{ code: 'PROCESS_DIED', message: 'x' }] }).ok).to.equal(false);
  });

  it('passes a run whose only failure is an acknowledged deviation, and counts it apart', () => {
    const outcome = runOutcome(run([t('a', 'passed'), t('b', 'failed', { deviation: { reason: 'known' } })]));
    expect(outcome.ok).to.equal(true);
    expect(outcome.counts).to.deep.include({ passed: 1, failed: 0, deviations: 1, skipped: 0 });
  });

  it('passes a run whose failed chaos probe is an acknowledged deviation; fails one whose probe record failed under a passing test', () => {
    const probe = { probe: 'p', target: 'x', expected: { lost: 0 }, observed: { lost: 3 }, passed: false };
    const deviation = { reason: 'known', component: 'pubsub.jetstream' };
    const acknowledged = { ...run([t('a', 'passed', { area: 'chaos' }), t('b', 'failed', { area: 'chaos', deviation })]), chaos: [probe] };
    expect(runOutcome(acknowledged).ok, runOutcome(acknowledged).reasons.join()).to.equal(true);
    const unasserted = { ...run([t('a', 'passed', { area: 'chaos' })]), chaos: [probe] };
    expect(runOutcome(unasserted).reasons).to.include('1 chaos probe failed');
    const failed = { ...run([t('a', 'failed', { area: 'chaos' })]), chaos: [probe] };
    expect(runOutcome(failed).reasons).to.deep.equal(['1 failed']);
  });

  it('calls a story with nothing run "not run", one with a skip "incomplete", never "pass"', () => {
    expect(storyVerdict(countOutcomes([t('a', 'skipped')]))).to.equal('not run');
    expect(storyVerdict(countOutcomes([t('a', 'passed'), t('b', 'skipped')]))).to.equal('incomplete');
    expect(storyVerdict(countOutcomes([t('a', 'passed'), t('b', 'failed')]))).to.equal('FAIL');
    expect(storyVerdict(countOutcomes([t('a', 'passed')]))).to.equal('pass');
    expect(storyVerdict(countOutcomes([t('a', 'passed'), t('b', 'failed', { deviation: { reason: 'r' } })]))).to.equal('deviation');
  });

  it('prints the same counts and verdict on the console, with each skip reason', () => {
    const text = consoleSummary(
      run([
        t('a', 'passed', { tags: ['US1'] }),
        t('b', 'skipped', { tags: ['US1'], skip: { kind: 'not-observable', reason: 'no process control on this target' } }),
        t('c', 'skipped', { tags: ['US2'] }),
      ]),
    );
    expect(text).to.match(/US1\s+1\s+0\s+1\s+0\s+incomplete/);
    expect(text).to.match(/US2\s+0\s+0\s+1\s+0\s+not run/);
    expect(text).to.contain('not-observable: no process control on this target');
    expect(text).to.contain('1 passed · 0 failed · 2 skipped · 0 known deviations (3 tests)');
    expect(text).to.contain('verdict: FAIL (2 skipped)');
    expect(text).to.not.match(/\bpass\b.*US2/);
  });

  it('writes skips with their reason and deviations as acknowledged, not as failures, in junit', () => {
    const xml = junitXml(
      run([
        t('a', 'skipped', { skip: { kind: 'deselected', reason: 'by --grep' } }),
        t('b', 'failed', {
          failure: { message: 'partial write' },
          deviation: { component: 'state.redis', reason: 'no rollback', link: 'https://example.invalid/x' },
        }),
      ]),
    );
    expect(xml).to.contain('<skipped message="deselected: by --grep"/>');
    expect(xml).to.contain('failures="0" skipped="1"');
    expect(xml).to.contain('value="known-deviation"');
    expect(xml).to.contain('known deviation of state.redis: no rollback (https://example.invalid/x)');
    expect(xml).to.contain('failure: partial write');
  });
});
