import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import { resultsProblems } from '../../harness/results/results-schema';
import { emptyResults } from '../../harness/results/results-store';
import { successRate, toMetricSamples, toScenarioResult } from './driver-result';
import { openResultFixture } from '../../test/support/driver-result-fixture';

describe('driver result', () => {
  it('counts dropped and unfinished requests against the success rate', () => {
    const result = openResultFixture();
    expect(successRate(result)).to.deep.equal({ rate: 190 / 200, passes: 190, fails: 10 });
    const withUnfinished = openResultFixture({ totals: { ...result.totals, unfinished: 10 } });
    expect(successRate(withUnfinished).fails).to.equal(20);
  });

  it('reports a run that sent nothing as a 0 success rate, not a pass', () => {
    const nothing = openResultFixture({
      totals: { sent: 0, completed: 0, ok: 0, errors: 0, timeouts: 0, dropped: 0, unfinished: 0, errorsByKind: {} },
    });
    expect(successRate(nothing).rate).to.equal(0);
  });

  it('produces k6-style metric samples that a criteria file can name', () => {
    const samples = toMetricSamples('state', openResultFixture(), { operation: 'save' });
    const byName = (name: string, kind?: string) => samples.filter((s) => s.name === name && (kind === undefined || s.tags.kind === kind));
    expect(byName('state.success_rate')[0]).to.deep.include({
      kind: 'rate',
      rate: 0.95,
      passes: 190,
      fails: 10,
      tags: { operation: 'save' },
    });
    expect(byName('state.latency')[0]).to.deep.include({
      kind: 'trend',
      unit: 'ms',
      stats: { min: 0.2, avg: 12, p50: 1.5, p90: 20, p99: 480, 'p99.9': 500, max: 510 },
    });
    expect(byName('state.latency_uncorrected')[0]?.stats?.p99).to.equal(1.2);
    expect(byName('state.requests')[0]?.count).to.equal(200);
    expect(byName('state.errors')[0]?.count).to.equal(6);
    expect(byName('state.dropped')[0]?.count).to.equal(4);
    expect(byName('state.timeouts')[0]).to.deep.include({ kind: 'counter', count: 2 });
    expect(byName('state.latency')[0]?.count, 'the trend says how many latencies it summarises').to.equal(194);
    expect(byName('state.achieved_rate')[0]).to.deep.include({ kind: 'gauge', value: 100 });
    expect(byName('state.errors_by_kind', 'http_500')[0]?.count).to.equal(4);
    expect(byName('state.errors_by_kind', 'timeout')[0]).to.deep.include({ count: 2, tags: { operation: 'save', kind: 'timeout' } });
  });

  it('leaves latency out when nothing was answered rather than reporting zeros', () => {
    const none = openResultFixture();
    none.latency.corrected = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, 'p99.9': 0, max: 0 };
    expect(toMetricSamples('invoke', none).map((s) => s.name)).to.not.include('invoke.latency');
  });

  it('makes a scenario with a flat numeric timeline and both histograms for an open model', () => {
    const scenario = toScenarioResult('invoke', openResultFixture(), { app: 'orders' });
    expect(scenario.settings).to.include({ app: 'orders', ratePerSecond: 100, partial: false, stopReason: 'completed' });
    expect(scenario.timeline[1]).to.deep.equal({
      t: 1,
      requests: 96,
      errors: 2,
      p50: 1.4,
      p99: 480,
      ratePerSecond: 100,
      dropped: 4,
      'errors.timeout': 2,
    });
    expect(Object.keys(scenario.histograms ?? {})).to.deep.equal(['corrected', 'uncorrected']);
    const closed = toScenarioResult('invoke', openResultFixture({ model: 'closed' }));
    expect(Object.keys(closed.histograms ?? {})).to.deep.equal(['latency']);
  });

  it('fits the results.json schema', () => {
    const result = openResultFixture();
    const doc = emptyResults({
      runId: 'r1',
      kind: 'load',
      target: { kind: 'local' },
      metrics: toMetricSamples('state', result, { scenario: 'state' }),
      scenarios: [toScenarioResult('state', result)],
    });
    expect(resultsProblems(doc)).to.deep.equal([]);
  });

  it('refuses a metric prefix results.json would reject, naming the fix', () => {
    expect(() => toMetricSamples('State Store', openResultFixture())).to.throw(HarnessError, /not dotted lower-case words/);
    expect(() => toMetricSamples('state.', openResultFixture())).to.throw(HarnessError);
    expect(toMetricSamples('pubsub.publish', openResultFixture())[0]?.name).to.equal('pubsub.publish.success_rate');
  });
});
