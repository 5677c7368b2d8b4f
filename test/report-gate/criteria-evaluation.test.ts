import { expect } from 'chai';
import { parseCriteria } from '../../harness/gate/criteria-file';
import { evaluateCriteria, type Verdict } from '../../harness/gate/criteria-evaluation';
import { HarnessError } from '../../harness/errors/harness-error';
import type { RunResults } from '../../harness/results/results-model';
import { emptyResults } from '../../harness/results/results-store';
import { richResults } from '../support/results-fixtures';

function judge(yaml: string, runs: RunResults | RunResults[]): Verdict {
  return evaluateCriteria(parseCriteria(yaml, 'c.yaml'), runs);
}

const loadRun = (metrics: RunResults['metrics'], more: Partial<RunResults> = {}): RunResults =>
  emptyResults({ runId: 'load-1', kind: 'load', target: { kind: 'local' }, metrics, ...more });

describe('criteria evaluation', () => {
  it('passes a rich run that meets every threshold, per series', () => {
    const run = richResults({
      tests: richResults().tests.filter((t) => t.status !== 'failed'),
      chaos: richResults().chaos.filter((c) => c.passed),
    });
    const v = judge(
      "criteria:\n  pubsub.delivery_rate: ['rate>=0.999']\n  pubsub.e2e_latency: ['p(99)<1000', 'p(99.9)<1000', 'med<100', 'max<=1000']\n  tests.acceptance: ['failed==0', 'passed>=3']\n  tests.chaos: ['failed==0']\n",
      run,
    );
    expect(v.failures, JSON.stringify(v.failures)).to.deep.equal([]);
    expect(v.passed).to.equal(true);
    const latency = v.rows.filter((r) => r.criterion === 'pubsub.e2e_latency' && r.threshold === 'p(99.9)<1000');
    expect(latency.map((r) => r.series).sort()).to.deep.equal(['subscriber=audit', 'subscriber=orders']);
    expect(latency.map((r) => r.measuredText).sort()).to.deep.equal(['870 ms', '900 ms']);
  });

  it('fails when one series misses and names that series', () => {
    const v = judge("criteria:\n  pubsub.delivery_rate: ['rate>=0.9999']\n", richResults());
    expect(v.passed).to.equal(false);
    expect(v.failures.map((f) => f.series)).to.deep.equal(['subscriber=audit']);
    expect(v.failures[0]).to.include({ status: 'fail', measured: 0.9995, line: 2 });
    expect(v.rows.find((r) => r.series === 'subscriber=orders')?.status).to.equal('pass');
  });

  it('evaluates every operator against a measured value', () => {
    const run = loadRun([{ name: 'invoke.success_rate', kind: 'rate', tags: {}, rate: 0.5, passes: 5, fails: 5 }]);
    const ok = judge(
      "criteria:\n  invoke.success_rate: ['rate<0.6', 'rate<=0.5', 'rate>0.4', 'rate>=0.5', 'rate==0.5', 'rate!=0.7', 'passed==5', 'failed==5', 'count==10']\n",
      run,
    );
    expect(ok.failures).to.deep.equal([]);
    const bad = judge(
      "criteria:\n  invoke.success_rate: ['rate<0.5', 'rate<=0.4', 'rate>0.5', 'rate>=0.6', 'rate==0.4', 'rate!=0.5']\n",
      run,
    );
    expect(bad.rows.map((r) => r.status)).to.deep.equal(['fail', 'fail', 'fail', 'fail', 'fail', 'fail']);
  });

  it('fails a criterion the run did not measure, unless it is optional', () => {
    const run = loadRun([{ name: 'invoke.success_rate', kind: 'rate', tags: {}, rate: 1 }]);
    const v = judge(
      "criteria:\n  invoke.success_rate: ['rate>=0.999']\n  pubsub.delivery_rate: ['rate>=0.999']\n  autoscale.max_replicas: { thresholds: ['value>=50'], optional: true }\n",
      run,
    );
    expect(v.passed).to.equal(false);
    const [invoke, delivery, autoscale] = v.rows;
    expect(invoke).to.include({ status: 'pass' });
    expect(delivery).to.include({ status: 'not measured', ok: false, measuredText: 'not measured', line: 3 });
    expect(autoscale).to.include({ status: 'skipped', ok: true });
  });

  it('judges an optional criterion once it is measured', () => {
    const yaml = "criteria:\n  autoscale.max_replicas: { thresholds: ['value>=50'], optional: true }\n";
    expect(judge(yaml, loadRun([{ name: 'autoscale.max_replicas', kind: 'gauge', tags: {}, value: 50 }])).passed).to.equal(true);
    const low = judge(yaml, loadRun([{ name: 'autoscale.max_replicas', kind: 'gauge', tags: {}, value: 12 }]));
    expect(low.passed).to.equal(false);
    expect(low.failures[0]).to.include({ status: 'fail', measured: 12 });
  });

  it('treats a percentile the trend did not record as not measured', () => {
    const run = loadRun([{ name: 'pubsub.e2e_latency', kind: 'trend', tags: {}, stats: { p50: 1, p99: 5 } }]);
    const v = judge("criteria:\n  pubsub.e2e_latency: ['p(99)<10', 'p(99.9)<10']\n", run);
    expect(v.rows.map((r) => r.status)).to.deep.equal(['pass', 'not measured']);
    expect(v.rows[1]?.measuredText).to.equal('no p(99.9) recorded');
  });

  it('narrows to the series a tag filter names', () => {
    const v = judge(
      "criteria:\n  pubsub.delivery_rate{subscriber:orders}: ['rate>=0.9999']\n  pubsub.delivery_rate{subscriber:nobody}: ['rate>=0.9']\n",
      richResults(),
    );
    expect(v.rows.map((r) => [r.series, r.status])).to.deep.equal([
      ['subscriber=orders', 'pass'],
      ['', 'not measured'],
    ]);
  });

  it('folds series into one with aggregate: true', () => {
    const run = loadRun([
      { name: 'state.success_rate', kind: 'rate', tags: { operation: 'save' }, rate: 0.99, passes: 990, fails: 10 },
      { name: 'state.success_rate', kind: 'rate', tags: { operation: 'get' }, rate: 1, passes: 9000, fails: 0 },
      { name: 'state.latency', kind: 'trend', tags: { operation: 'save' }, stats: { p99: 30, min: 2 } },
      { name: 'state.latency', kind: 'trend', tags: { operation: 'get' }, stats: { p99: 10, min: 1 } },
    ]);
    const perSeries = judge("criteria:\n  state.success_rate: ['rate>=0.995']\n", run);
    expect(perSeries.failures.map((f) => f.series)).to.deep.equal(['operation=save']);
    const folded = judge(
      "criteria:\n  state.success_rate: { thresholds: ['rate>=0.995', 'count==10000'], aggregate: true }\n  state.latency: { thresholds: ['p(99)<=30', 'min==1'], aggregate: true }\n",
      run,
    );
    expect(folded.failures).to.deep.equal([]);
    expect(folded.rows[0]?.measured).to.equal(0.999);
    expect(folded.rows[2]?.measured, 'the worst series stands for a folded percentile').to.equal(30);
    expect(folded.rows[0]?.series).to.equal('all 2 series');
  });

  it('derives tests.acceptance and tests.chaos from the run records, naming what failed', () => {
    const v = judge(
      "criteria:\n  tests.acceptance: ['failed==0']\n  tests.chaos: ['failed==0']\n  tests.acceptance{tag:US3}: ['failed==0', 'passed==1', 'rate==1']\n",
      richResults(),
    );
    const [acceptance, chaos, us3] = v.rows;
    expect(acceptance).to.include({ status: 'fail', measured: 1 });
    expect(acceptance?.detail).to.contain('saves and reads back with etag');
    expect(chaos).to.include({ status: 'fail', measured: 1 });
    expect(chaos?.detail).to.contain('nats-restart-redelivery');
    expect(us3).to.include({ status: 'pass' });
    expect(v.rows.slice(2).every((r) => r.ok)).to.equal(true);
  });

  it('counts a run without tests as not having measured them', () => {
    const v = judge(
      "criteria:\n  tests.acceptance: ['failed==0']\n",
      emptyResults({ runId: 'a', kind: 'acceptance', target: { kind: 'local' } }),
    );
    expect(v.rows[0]).to.include({ status: 'not measured', ok: false });
    expect(v.passedInScope).to.equal(false);
  });

  it('tells a criterion another kind of run measures apart: the gate fails it, the run alone does not', () => {
    const v = judge(
      "criteria:\n  tests.acceptance: ['failed==0']\n  invoke.success_rate: ['rate>=0.9']\n",
      loadRun([{ name: 'invoke.success_rate', kind: 'rate', tags: {}, rate: 1 }]),
    );
    expect(v.rows[0]).to.include({ status: 'not in this run', ok: false });
    expect(v.rows[0]?.detail).to.contain('measured by acceptance or all runs');
    expect(v.passed).to.equal(false);
    expect(v.passedInScope).to.equal(true);
  });

  it('never passes a run in which a process of the deployment died', () => {
    const run = loadRun([{ name: 'invoke.success_rate', kind: 'rate', tags: {}, rate: 1 }], {
      errors: [{ code: 'PROCESS_DIED', message: 'audit-service died (signal SIGKILL)' }],
    });
    const v = judge("criteria:\n  invoke.success_rate: ['rate>=0.9']\n", run);
    expect(v.passed).to.equal(false);
    expect(v.rows[0]).to.include({ criterion: 'run.errors', status: 'fail', detail: 'PROCESS_DIED: audit-service died (signal SIGKILL)' });
  });

  it('never passes a partial run', () => {
    const v = judge(
      "criteria:\n  invoke.success_rate: ['rate>=0.9']\n",
      loadRun([{ name: 'invoke.success_rate', kind: 'rate', tags: {}, rate: 1 }], { partial: true }),
    );
    expect(v.passed).to.equal(false);
    expect(v.failures.map((f) => f.criterion)).to.deep.equal(['run.complete']);
  });

  it('judges an acceptance run and a load run together', () => {
    const acceptance = emptyResults({
      runId: 'acc-1',
      kind: 'acceptance',
      target: { kind: 'local' },
      tests: richResults().tests.filter((t) => t.status === 'passed'),
    });
    const load = loadRun([{ name: 'pubsub.delivery_rate', kind: 'rate', tags: { subscriber: 'orders' }, rate: 0.99 }]);
    const v = judge("criteria:\n  tests.acceptance: ['failed==0']\n  pubsub.delivery_rate: ['rate>=0.999']\n", [acceptance, load]);
    expect(v.rows.map((r) => [r.criterion, r.runId, r.status])).to.deep.equal([
      ['tests.acceptance', 'acc-1', 'pass'],
      ['pubsub.delivery_rate', 'load-1', 'fail'],
    ]);
    expect(v.runIds).to.deep.equal(['acc-1', 'load-1']);
  });

  it('rejects an aggregation that does not fit the metric kind, naming the line', () => {
    const run = loadRun([{ name: 'pubsub.delivery_rate', kind: 'rate', tags: {}, rate: 1 }]);
    try {
      judge("criteria:\n  invoke.success_rate: { thresholds: ['rate>0'], optional: true }\n  pubsub.delivery_rate: ['p(99)<10']\n", run);
      expect.fail('expected a usage error');
    } catch (err) {
      expect(err).to.be.instanceOf(HarnessError);
      expect((err as HarnessError).kind).to.equal('usage');
      expect((err as HarnessError).message).to.equal('c.yaml:3: pubsub.delivery_rate: p(99) does not apply to a rate metric');
      expect((err as HarnessError).hint).to.contain('rate, passed, failed, count');
    }
  });

  describe('a skip is never a pass', () => {
    const test = (
      id: string,
      status: 'passed' | 'failed' | 'skipped',
      more: Partial<RunResults['tests'][number]> = {},
    ): RunResults['tests'][number] => ({ id, title: id, suitePath: [], tags: [], status, durationMs: 1, measurements: {}, ...more });
    const acceptance = (tests: RunResults['tests'], more: Partial<RunResults> = {}): RunResults =>
      emptyResults({ runId: 'acc', kind: 'acceptance', target: { kind: 'local' }, tests, ...more });
    const DEFAULT = "criteria:\n  tests.acceptance: ['failed==0', 'skipped==0']\n";

    it('fails a run in which every test skipped', () => {
      const v = judge(DEFAULT, acceptance([test('a', 'skipped'), test('b', 'skipped')]));
      expect(v.passed).to.equal(false);
      expect(v.rows.map((r) => [r.threshold, r.status, r.measured])).to.deep.equal([
        ['failed==0', 'pass', 0],
        ['skipped==0', 'fail', 2],
      ]);
      expect(v.rows[1]?.detail).to.contain('skipped: a (no reason)');
    });

    it('counts an acknowledged deviation apart: not failed, but in deviations and named in the detail', () => {
      const v = judge(
        "criteria:\n  tests.acceptance: ['failed==0', 'deviations==0']\n",
        acceptance([test('a', 'passed'), test('tx', 'failed', { deviation: { reason: 'no rollback' } })]),
      );
      expect(v.rows.map((r) => [r.threshold, r.status])).to.deep.equal([
        ['failed==0', 'pass'],
        ['deviations==0', 'fail'],
      ]);
      expect(v.rows[0]?.detail).to.contain('known deviations: tx');
    });

    it('does not let a --grep narrowed run satisfy tests.*, unless the criterion allows it', () => {
      const narrowed = acceptance([test('a', 'passed')], { filter: { grep: 'US2' } });
      const v = judge(DEFAULT, narrowed);
      expect(v.passed).to.equal(false);
      expect(v.rows[0]?.detail).to.contain("narrowed (--grep 'US2')");
      expect(judge("criteria:\n  tests.acceptance: { thresholds: ['failed==0'], allowFiltered: true }\n", narrowed).passed).to.equal(true);
    });

    it('counts chaos probes by their tests, so a probe that threw before recording still fails tests.chaos', () => {
      const chaos = emptyResults({
        runId: 'ch',
        kind: 'chaos',
        target: { kind: 'local' },
        tests: [test('retries', 'passed', { area: 'chaos' }), test('breaker', 'failed', { area: 'chaos', failure: { message: 'threw' } })],
        chaos: [{ probe: 'retries', target: 'task-service', expected: {}, observed: {}, passed: true }],
      });
      const v = judge(
        "criteria:\n  tests.chaos: ['failed==0']\n  tests.acceptance: { thresholds: ['failed==0'], optional: true }\n",
        chaos,
      );
      expect(v.rows[0]).to.include({ status: 'fail', measured: 1 });
      expect(v.rows[1]?.status, 'chaos tests are not acceptance tests').to.equal('skipped');
    });
  });
});
