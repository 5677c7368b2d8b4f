import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCriteria } from '../../harness/gate/criteria-file';
import { exitCodeFor, HarnessError } from '../../harness/errors/harness-error';
import { REPO_ROOT } from '../../harness/paths';

function parseError(text: string): HarnessError {
  try {
    parseCriteria(text, 'my-criteria.yaml');
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error(`expected a usage error for:\n${text}`);
}

describe('criteria file', () => {
  it('reads the shipped criteria.yaml with the seed defaults', () => {
    const { criteria } = parseCriteria(readFileSync(join(REPO_ROOT, 'criteria.yaml'), 'utf8'), 'criteria.yaml');
    const byMetric = Object.fromEntries(criteria.map((c) => [c.metric, c]));
    expect(Object.keys(byMetric)).to.include.members([
      'pubsub.delivery_rate',
      'pubsub.e2e_latency',
      'state.success_rate',
      'invoke.success_rate',
      'autoscale.max_replicas',
      'tests.acceptance',
      'tests.chaos',
    ]);
    expect(byMetric['pubsub.delivery_rate']?.thresholds[0]?.threshold.source).to.equal('rate>=0.999');
    expect(byMetric['pubsub.e2e_latency']?.thresholds[0]?.threshold.source).to.equal('p(99)<1000');
    expect(byMetric['state.success_rate']?.thresholds[0]?.threshold.source).to.equal('rate>=0.995');
    expect(byMetric['invoke.success_rate']?.thresholds[0]?.threshold.source).to.equal('rate>=0.999');
    expect(byMetric['autoscale.max_replicas']?.optional).to.equal(true);
    expect(byMetric['tests.acceptance']?.optional).to.equal(false);
    expect(byMetric['tests.chaos']?.thresholds[0]?.threshold.source).to.equal('failed==0');
  });

  it('reads list and mapping forms, tag filters, and keeps every line', () => {
    const text = [
      'criteria:', //                                                   1
      "  pubsub.e2e_latency: ['p(99)<1000', 'p(99.9)<2000']", //        2
      '  state.success_rate:', //                                        3
      '    thresholds:', //                                              4
      "      - 'rate>=0.995'", //                                        5
      '    aggregate: true', //                                          6
      "  autoscale.max_replicas: { thresholds: ['value>=50'], optional: true }", // 7
      '  "pubsub.delivery_rate{subscriber: orders, app:worker}": \'rate>=0.999\'', // 8
    ].join('\n');
    const { criteria } = parseCriteria(text, 'c.yaml');
    expect(criteria.map((c) => c.line)).to.deep.equal([2, 3, 7, 8]);
    const [latency, state, autoscale, delivery] = criteria;
    expect(latency?.thresholds.map((t) => [t.threshold.source, t.line])).to.deep.equal([
      ['p(99)<1000', 2],
      ['p(99.9)<2000', 2],
    ]);
    expect(latency).to.include({ optional: false, aggregate: false });
    expect(state?.thresholds.map((t) => t.line)).to.deep.equal([5]);
    expect(state).to.include({ aggregate: true, optional: false });
    expect(autoscale).to.include({ optional: true });
    expect(delivery).to.include({ metric: 'pubsub.delivery_rate' });
    expect(delivery?.tags).to.deep.equal({ subscriber: 'orders', app: 'worker' });
  });

  const malformed: [string, string, number, string][] = [
    [
      'a bad expression',
      "criteria:\n  pubsub.e2e_latency:\n    - 'p(99)<1000'\n    - 'p(99)<<1000'\n",
      4,
      "'p(99)<<1000' is not a threshold",
    ],
    ['an unknown aggregation', "criteria:\n  state.success_rate: ['ratio>=0.9']\n", 2, "unknown aggregation 'ratio'"],
    ['YAML syntax', "criteria:\n  a.b: ['rate>1'\n  c.d: x\n", 3, 'YAML syntax error'],
    [
      'a duplicate metric',
      "criteria:\n  state.success_rate: ['rate>0.5']\n  state.success_rate: ['rate>0.1']\n",
      3,
      'YAML syntax error: Map keys must be unique',
    ],
    ['a bad metric name', "criteria:\n  state.success_rate: ['rate>0.5']\n  Latency: ['p(99)<1']\n", 3, "'Latency' is not a metric name"],
    [
      'an unknown option',
      "criteria:\n  state.success_rate:\n    thresholds: ['rate>0.5']\n    optinal: true\n",
      4,
      "unknown option 'optinal'",
    ],
    [
      'a non-boolean optional',
      "criteria:\n  state.success_rate:\n    thresholds: ['rate>0.5']\n    optional: yes please\n",
      4,
      "'optional' must be true or false",
    ],
    ['a mapping without thresholds', 'criteria:\n  state.success_rate:\n    optional: true\n', 2, "no 'thresholds:' list"],
    ['an empty list', "criteria:\n  invoke.success_rate: ['rate>0.5']\n  state.success_rate: []\n", 3, 'needs at least one threshold'],
    ['a number instead of a threshold', 'criteria:\n  state.success_rate:\n    - 0.999\n', 3, 'must be a quoted string'],
    ['a bad tag filter', "criteria:\n  state.success_rate{subscriber}: ['rate>1']\n", 2, "'subscriber' is not tag:value"],
    [
      'an unknown top-level key',
      "criteria:\n  state.success_rate: ['rate>0.5']\nthresholds:\n  state.success_rate: ['rate>0.5']\n",
      3,
      "unknown top-level key 'thresholds'",
    ],
    ['no criteria at all', 'criteria: {}\n', 1, 'is empty'],
    [
      'an unknown metric, with the nearest name',
      "criteria:\n  pubsub.delivery_rat: ['rate>=0.999']\n",
      2,
      "unknown metric 'pubsub.delivery_rat' (did you mean 'pubsub.delivery_rate'?)",
    ],
    [
      'an aggregation the metric kind lacks, even when optional',
      "criteria:\n  autoscale.max_replicas: { thresholds: ['rate>=0.5'], optional: true }\n",
      2,
      'rate does not apply to a gauge metric',
    ],
    ['a rate above 1', "criteria:\n  pubsub.delivery_rate: ['rate>=1.1']\n", 2, "'rate>=1.1' can never pass: rate is between 0 and 1"],
    ['a threshold that can never fail', "criteria:\n  tests.acceptance: ['failed>=0']\n", 2, "'failed>=0' can never fail"],
    ['a negative latency bound', "criteria:\n  pubsub.e2e_latency: ['p(99)<0']\n", 2, 'can never pass'],
    ['a fractional count', "criteria:\n  tests.chaos: ['skipped==0.5']\n", 2, 'can never pass: skipped is a whole number'],
    [
      'allowFiltered on a load metric',
      "criteria:\n  state.success_rate:\n    thresholds: ['rate>0.5']\n    allowFiltered: true\n",
      4,
      "'allowFiltered' applies only to tests",
    ],
    ['a list at the top', "- state.success_rate: ['rate>0.5']\n", 1, 'must be a mapping'],
  ];
  for (const [what, text, line, words] of malformed) {
    it(`rejects ${what} with a usage error naming file and line ${line}`, () => {
      const err = parseError(text);
      expect(err.kind).to.equal('usage');
      expect(exitCodeFor(err)).to.equal(2);
      expect(err.code).to.equal('CRITERIA_INVALID');
      expect(err.message).to.match(new RegExp(`^my-criteria\\.yaml:${line}: `));
      expect(err.message).to.contain(words);
      expect(err.hint).to.have.length.greaterThan(5);
      expect(err.oneLine()).to.not.contain('\n');
    });
  }
});
