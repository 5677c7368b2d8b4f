import { expect } from 'chai';
import { parseCriteria } from '../../harness/gate/criteria-file';
import { emptyResults } from '../../harness/results/results-store';
import type { MetricSample } from '../../harness/results/results-model';
import type { Deployment } from '../../harness/targets/deployment';
import { findCapacity, judgeStep, stepLatency } from './find-capacity';
import { SEARCH_DEFAULTS } from './capacity-search';
import { LOAD_DEFAULTS, type Scenario } from '../scenarios/scenario';

const criteria = parseCriteria(
  [
    'criteria:',
    "  pubsub.delivery_rate: ['rate>=0.999']",
    "  pubsub.e2e_latency: ['p(99)<1000']",
    "  state.success_rate: ['rate>=0.995']",
    "  tests.acceptance: ['failed==0']",
  ].join('\n'),
  'criteria.yaml',
);

function pubsubMetrics(rate: number): MetricSample[] {
  const p99 = rate <= 500 ? 200 : 5000;
  return [
    { name: 'pubsub.publish.achieved_rate', kind: 'gauge', tags: {}, value: rate, unit: '1/s' },
    { name: 'pubsub.delivery_rate', kind: 'rate', tags: { subscriber: 'a' }, rate: 1, passes: 10, fails: 0 },
    { name: 'pubsub.e2e_latency', kind: 'trend', tags: { subscriber: 'a' }, unit: 'ms', stats: { p50: 5, p90: 50, p99 } },
    { name: 'pubsub.e2e_latency', kind: 'trend', tags: { subscriber: 'b' }, unit: 'ms', stats: { p50: 7, p90: 40, p99: p99 / 2 } },
  ];
}

describe('find capacity', () => {
  it('judges a step on what it measured: other scenarios and other kinds of run do not break it', () => {
    const step = emptyResults({ runId: 'r', kind: 'load', target: { kind: 'local' }, metrics: pubsubMetrics(400) });
    expect(judgeStep(criteria, step)).to.deep.equal({ met: true, broken: [] });
    const over = emptyResults({ runId: 'r', kind: 'load', target: { kind: 'local' }, metrics: pubsubMetrics(800) });
    const judged = judgeStep(criteria, over);
    expect(judged.met).to.equal(false);
    expect(judged.broken).to.have.length(2);
    expect(judged.broken[0]).to.match(/^pubsub\.e2e_latency \[subscriber=a\] p\(99\)<1000/);
  });

  it('takes the worst series of the latency the criteria bound', () => {
    expect(stepLatency(pubsubMetrics(800))).to.deep.equal({ p50Ms: 7, p90Ms: 50, p99Ms: 5000 });
  });

  it('records the search, the knee as metrics, and the figures of the highest rate that met the criteria', async () => {
    const results = emptyResults({ runId: 'r', kind: 'load', target: { kind: 'local' } });
    const scenario: Scenario = {
      name: 'pubsub',
      description: 'fake',
      run: async (ctx) => {
        ctx.results.metrics.push(...pubsubMetrics(ctx.settings.ratePerSecond));
        ctx.results.scenarios.push({ name: 'pubsub', settings: { ratePerSecond: ctx.settings.ratePerSecond }, timeline: [] });
      },
    };
    let t = 0;
    let saves = 0;
    const record = await findCapacity(
      {
        deployment: {} as Deployment,
        results,
        settings: LOAD_DEFAULTS,
        progress: { update: () => undefined, log: () => undefined, done: () => undefined },
        signal: new AbortController().signal,
        save: () => saves++,
      },
      {
        scenario,
        settings: LOAD_DEFAULTS,
        criteria,
        plan: { ...SEARCH_DEFAULTS, startRatePerSecond: 100, maxTimeMs: 1e9 },
        now: () => (t += 1000),
      },
    );
    expect(record.maxMetRatePerSecond).to.be.within(455, 500);
    expect(record.brokenRatePerSecond).to.be.within(501, 550);
    expect(results.capacity).to.deep.equal([record]);
    expect(results.metrics.find((m) => m.name === 'capacity.max_rate')?.value).to.equal(record.maxMetRatePerSecond);
    expect(results.scenarios).to.have.length(1);
    expect(results.scenarios[0]?.settings.ratePerSecond).to.equal(record.maxMetRatePerSecond);
    expect(saves).to.be.greaterThan(record.steps.length - 1);
  });
});
