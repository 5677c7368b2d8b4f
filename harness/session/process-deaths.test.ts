import { expect } from 'chai';
import { emptyResults } from '../results/results-store';
import type { TestResult } from '../results/results-model';
import type { ProcessDeath } from '../targets/deployment';
import { DeathRecorder } from './process-deaths';

const test = (id: string, status: TestResult['status'], message?: string): TestResult => ({
  id,
  title: id,
  suitePath: ['US2 pub/sub'],
  tags: ['US2'],
  status,
  durationMs: 1,
  measurements: {},
  ...(message ? { failure: { message } } : {}),
});
const death: ProcessDeath = {
  name: 'audit-service',
  kind: 'app',
  appId: 'audit-service',
  at: '2026-01-01T00:00:00.000Z',
  code: null,
  signal: 'SIGKILL',
  logFile: '/run/logs/audit-service.log',
};

describe('DeathRecorder', () => {
  it('records a death as a PROCESS_DIED error naming the app, when and the signal', () => {
    const results = emptyResults({ runId: 'r', kind: 'acceptance', target: { kind: 'local' }, partial: true });
    new DeathRecorder(results).record(death);
    expect(results.errors).to.have.length(1);
    expect(results.errors[0]?.code).to.equal('PROCESS_DIED');
    expect(results.errors[0]?.message)
      .to.contain('app audit-service')
      .and.to.contain('signal SIGKILL')
      .and.to.contain('2026-01-01T00:00:00.000Z')
      .and.to.contain('/run/logs/audit-service.log');
  });

  it('fails the next test to finish after the death, even one that passed, and only that one', () => {
    const results = emptyResults({ runId: 'r', kind: 'acceptance', target: { kind: 'local' }, partial: true });
    const recorder = new DeathRecorder(results);
    results.tests.push(test('before', 'passed'));
    recorder.attribute();
    recorder.record(death);
    recorder.attribute();
    results.tests.push(test('during', 'passed'), test('after', 'passed'));
    recorder.attribute();
    expect(results.tests.map((t) => t.status)).to.deep.equal(['passed', 'failed', 'passed']);
    expect(results.tests[1]?.failure?.message).to.contain('died while this test ran').and.to.contain('audit-service');
  });

  it('adds the death to a test that already failed on it, instead of a bare "fetch failed"', () => {
    const results = emptyResults({ runId: 'r', kind: 'acceptance', target: { kind: 'local' }, partial: true });
    const recorder = new DeathRecorder(results);
    recorder.record(death);
    results.tests.push(test('ledger', 'failed', 'fetch failed'));
    recorder.attribute();
    expect(results.tests[0]?.failure?.message).to.match(/^fetch failed — app audit-service died during the run \(signal SIGKILL\)/);
  });

  it('does not name a death twice when the failure already names it', () => {
    const results = emptyResults({ runId: 'r', kind: 'acceptance', target: { kind: 'local' }, partial: true });
    const recorder = new DeathRecorder(results);
    recorder.record(death);
    results.tests.push(
      test(
        'ledger',
        'failed',
        'GET /ledger: ECONNREFUSED — app audit-service died during the run (signal SIGKILL) at 2026-01-01T00:00:00.000Z; its log: /run/logs/audit-service.log',
      ),
    );
    recorder.attribute();
    expect(results.tests[0]?.failure?.message.match(/died during the run/g)).to.have.length(1);
  });
});
