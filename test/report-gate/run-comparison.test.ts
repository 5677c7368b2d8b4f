import { expect } from 'chai';
import type { MetricSample, RunResults } from '../../harness/results/results-model';
import { emptyResults } from '../../harness/results/results-store';
import { compareRuns, directionOf } from '../../harness/report/run-comparison';

const run = (id: string, metrics: MetricSample[], tests: RunResults['tests'] = []): RunResults =>
  emptyResults({ runId: id, kind: 'load', target: { kind: 'local' }, metrics, tests });
const test = (id: string, status: 'passed' | 'failed' | 'skipped'): RunResults['tests'][number] => ({
  id,
  title: id,
  suitePath: [],
  tags: [],
  status,
  durationMs: 1,
  measurements: {},
});

describe('run comparison', () => {
  it('flags a dropped success rate, a latency up by more than 10 % and a rising loss count', () => {
    const before = run('a', [
      { name: 'state.success_rate', kind: 'rate', tags: { operation: 'save' }, rate: 1 },
      { name: 'state.latency', kind: 'trend', tags: {}, stats: { p50: 10, p99: 100 } },
      { name: 'pubsub.lost', kind: 'counter', tags: { subscriber: 'orders' }, count: 0 },
      { name: 'pubsub.delivered', kind: 'counter', tags: { subscriber: 'orders' }, count: 100 },
    ]);
    const after = run('b', [
      { name: 'state.success_rate', kind: 'rate', tags: { operation: 'save' }, rate: 0.999 },
      { name: 'state.latency', kind: 'trend', tags: {}, stats: { p50: 11, p99: 111 } },
      { name: 'pubsub.lost', kind: 'counter', tags: { subscriber: 'orders' }, count: 2 },
      { name: 'pubsub.delivered', kind: 'counter', tags: { subscriber: 'orders' }, count: 50 },
    ]);
    const c = compareRuns(before, after);
    expect(c.regressions.map((r) => `${r.metric}:${r.field}`).sort()).to.deep.equal([
      'pubsub.lost:count',
      'state.latency:p99',
      'state.success_rate:rate',
    ]);
    const p50 = c.rows.find((r) => r.field === 'p50');
    expect(p50).to.include({ regression: false, delta: 1 });
    expect(p50?.relative).to.be.closeTo(0.1, 1e-9);
    expect(c.rows.find((r) => r.field === 'p99')?.note).to.equal('rose by 11 %');
    expect(
      c.rows.find((r) => r.metric === 'pubsub.delivered'),
      'a throughput count has no good direction',
    ).to.include({ regression: false, improvement: false, delta: -50 });
  });

  it('calls the opposite moves improvements, not regressions', () => {
    const c = compareRuns(
      run('a', [
        { name: 'invoke.latency', kind: 'trend', tags: {}, stats: { p99: 100 } },
        { name: 'invoke.error_rate', kind: 'rate', tags: {}, rate: 0.1 },
      ]),
      run('b', [
        { name: 'invoke.latency', kind: 'trend', tags: {}, stats: { p99: 50 } },
        { name: 'invoke.error_rate', kind: 'rate', tags: {}, rate: 0.01 },
      ]),
    );
    expect(c.regressions).to.deep.equal([]);
    expect(
      c.rows
        .filter((r) => r.improvement)
        .map((r) => r.metric)
        .sort(),
    ).to.deep.equal(['invoke.error_rate', 'invoke.latency']);
    expect(directionOf({ name: 'invoke.error_rate', kind: 'rate' }, 'rate')).to.equal('lower-better');
    expect(directionOf({ name: 'invoke.success_rate', kind: 'rate' }, 'rate')).to.equal('higher-better');
  });

  it('lists metrics only one of the runs measured, and tests that changed status', () => {
    const c = compareRuns(
      run(
        'a',
        [{ name: 'old.metric', kind: 'gauge', tags: {}, value: 1 }],
        [test('t1', 'passed'), test('t2', 'failed'), test('t3', 'passed')],
      ),
      run(
        'b',
        [{ name: 'new.metric', kind: 'gauge', tags: {}, value: 2 }],
        [test('t1', 'failed'), test('t2', 'passed'), test('t3', 'passed'), test('t4', 'failed')],
      ),
    );
    expect(c.rows.map((r) => [r.metric, r.previous, r.current, r.note])).to.deep.equal([
      ['new.metric', undefined, 2, 'new in this run'],
      ['old.metric', 1, undefined, 'not measured in this run'],
    ]);
    expect(c.testChanges).to.deep.equal([
      { title: 't1', previous: 'passed', current: 'failed', regression: true },
      { title: 't2', previous: 'failed', current: 'passed', regression: false },
    ]);
  });
});
