import { expect } from 'chai';
import { job, runWorkflowJob, steps, type JobRun } from './support/workflow-job';

/** The workflow's steps with stand-ins for acceptance, chaos and load (WORKFLOW_FAIL / WORKFLOW_CRASH name one). */
function runJob(env: { WORKFLOW_FAIL?: string; WORKFLOW_CRASH?: string }): JobRun {
  return runWorkflowJob({ npm: 'stand-in', env });
}

describe('example CI workflow (.github/workflows/dapr-gate.yml)', function () {
  this.timeout(120_000);

  it('runs acceptance, chaos and load against the namespace k8s/ deploys to, each into its own run, before the gate', () => {
    const order = ['acceptance', 'chaos', 'load', 'gate'].map((id) => steps.findIndex((s) => s.id === id));
    expect(
      order.every((i) => i >= 0),
      'steps acceptance, chaos, load, gate',
    ).to.equal(true);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    for (const id of ['acceptance', 'chaos', 'load']) {
      const step = steps.find((s) => s.id === id);
      expect(step?.run).to.match(
        new RegExp(
          `npm run ${id} -- --target kubernetes --kubeconfig "\\$KUBECONFIG_FILE" --namespace "\\$NAMESPACE" --out "\\$RUNS/${id}"`,
        ),
      );
      expect(step?.['continue-on-error'], `a failing ${id} run still reaches the gate`).to.equal(true);
    }
    expect(job.env?.NAMESPACE).to.contain("'dapr-harness'");
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).to.equal('always()');
  });

  it('passes when every run meets criteria.yaml', () => {
    const run = runJob({});
    expect(run.ok, run.log).to.equal(true);
    expect(run.outcomes).to.deep.include({ acceptance: 'success', chaos: 'success', load: 'success', gate: 'success' });
    expect(run.summary).to.contain('gate PASSED');
    expect(run.summary).to.match(/tests\.chaos\s+-\s+failed==0\s+0\s+pass/);
  });

  it('fails at the gate, naming the criterion, when the load run misses one', () => {
    const run = runJob({ WORKFLOW_FAIL: 'load' });
    expect(run.ok, run.log).to.equal(false);
    expect(run.outcomes.gate).to.equal('failure');
    expect(run.summary).to.match(/pubsub\.delivery_rate\s+subscriber=orders\s+rate>=0\.999\s+0\.98\s+FAIL/);
  });

  it('fails when the chaos run produced nothing: its criteria are not measured', () => {
    const run = runJob({ WORKFLOW_CRASH: 'chaos' });
    expect(run.ok, run.log).to.equal(false);
    expect(run.summary).to.match(/tests\.chaos\s+-\s+failed==0\s+not in these runs\s+FAIL \(not in this run\)/);
  });
});
