import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../harness/targets/local/run-dir';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}

describe('example CI workflow (.github/workflows/dapr-gate.yml)', () => {
  const workflow = parse(readFileSync(join(REPO_ROOT, '.github/workflows/dapr-gate.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const index = (pred: (s: Step) => boolean, what: string): number => {
    const i = steps.findIndex(pred);
    expect(i, what).to.be.greaterThan(-1);
    return i;
  };

  it('installs, runs acceptance and load against the cluster from the kubeconfig secret, then gates', () => {
    const ci = index((s) => /\bnpm ci\b/.test(s.run ?? ''), 'npm ci');
    const kube = index((s) => JSON.stringify(s.env ?? {}).includes('secrets.DAPR_KUBECONFIG'), 'kubeconfig from a secret');
    const acceptance = index((s) => /npm run acceptance -- --target kubernetes --kubeconfig /.test(s.run ?? ''), 'acceptance');
    const load = index((s) => /npm run load -- --target kubernetes --kubeconfig /.test(s.run ?? ''), 'load');
    const gate = index((s) => /npm run --silent gate -- --criteria criteria\.yaml --results reports\/latest/.test(s.run ?? ''), 'gate');
    expect([ci, kube, acceptance, load, gate]).to.deep.equal([...[ci, kube, acceptance, load, gate]].sort((a, b) => a - b));
    expect(steps[gate]?.if).to.equal('always()');
    expect(steps[acceptance]?.['continue-on-error'], 'a failing acceptance run still reaches the gate').to.equal(true);
  });

  it('uploads reports/latest/ even when something failed', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'reports/latest/');
    expect(upload, 'upload of reports/latest/').to.not.equal(undefined);
    expect(upload?.if).to.equal('always()');
  });

  it('does not end green when acceptance or load failed', () => {
    const last = steps[steps.length - 1];
    expect(last?.if).to.contain('steps.acceptance.outcome');
    expect(last?.if).to.contain('steps.load.outcome');
    expect(last?.run).to.contain('exit 1');
  });
});
