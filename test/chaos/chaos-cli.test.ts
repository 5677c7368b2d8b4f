import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../harness/results/results-store';
import { sutVariant } from '../support/sut-variant';
import { runCli } from '../support/cli';
import { sharedDeployment } from '../support/shared-deployment';
import { sidecarsFileFor } from '../support/external-sidecars';

describe('npm run chaos', function () {
  this.timeout(300_000);

  it('confirms the declared retry, timeout and breaker behaviour of the reference deployment, recording expected vs observed', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'chaos-')), 'run');
    const sidecars = sidecarsFileFor(await sharedDeployment());
    // The invocation probes run against the shared deployment; the outage probes need a local target's processes.
    const result = await runCli([
      'chaos',
      '--target',
      'external',
      '--sidecars-file',
      sidecars,
      '--grep',
      'service invocation|declared Resiliency policies',
      '--out',
      out,
    ]);
    const results = readResults(out);
    expect(result.code, result.stderr.slice(-2000)).to.equal(0);
    // A narrowed run says so in its record, where the gate reads it.
    expect(results.filter).to.deep.equal({ grep: 'service invocation|declared Resiliency policies' });
    const probes = new Map(results.chaos.map((c) => [c.probe, c]));
    for (const name of [
      'transient failures',
      'persistent failure',
      'slow callee cut at the timeout',
      'circuit breaker trips, fails fast, recovers',
      'policies apply to the deployment',
    ]) {
      expect(probes.get(name), `${name}: ${JSON.stringify(probes.get(name))}`).to.deep.include({ passed: true });
    }
    // The reference policy: invokeRetry (constant 200ms, maxRetries 3, 429/5xx) under appBreaker (consecutiveFailures > 5, maxRequests 1).
    expect(probes.get('transient failures')?.observed).to.deep.include({ calleeCalls: 3, callerStatus: 200 });
    expect(probes.get('persistent failure')?.observed, "maxRetries 3 + 1, the callee's 503 passed through").to.deep.include({
      calleeCalls: 4,
      callerStatus: 503,
    });
    expect(probes.get('circuit breaker trips, fails fast, recovers')?.observed).to.deep.include({
      calleeCallsBeforeOpen: 6,
      reachedWhileOpen: 0,
      halfOpenTrialCalls: 1,
      trialsRejected: 1,
      afterTrials: 200,
    });
    expect(probes.get('slow callee cut at the timeout')?.observed).to.deep.include({ calleeCalls: 2, callerStatus: 200 });
  });

  it('fails when a policy silently applies to nothing (a misspelled app id in the targets)', async () => {
    const variant = sutVariant();
    variant.editYaml('dapr-components/resiliency.yaml', (doc) => {
      const apps = (doc.spec as { targets: { apps: Record<string, unknown> } }).targets.apps;
      apps['task-servce'] = apps['task-service'];
      delete apps['task-service'];
    });
    const out = join(mkdtempSync(join(tmpdir(), 'chaos-broken-')), 'run');
    const result = await runCli(['chaos', '--run-file', variant.runFile, '--grep', 'transient|applies to something', '--out', out]);
    expect(result.code).to.equal(1);
    const results = readResults(out);
    const failed = results.tests.filter((t) => t.status === 'failed').map((t) => t.title);
    expect(failed).to.include('every declared policy applies to something: no target names a missing app or component');
    expect(
      failed.some((t) => t.startsWith('transient failures')),
      'with no policy on task-service, a transient failure reaches the caller',
    ).to.equal(true);
    const transient = results.chaos.find((c) => c.probe === 'transient failures');
    expect(transient?.passed).to.equal(false);
    expect(transient?.note, 'recorded although the probe could not run').to.contain(
      'no resiliency policy applies to sample-app → task-service',
    );
    const coverage = results.chaos.find((c) => c.probe === 'policies apply to the deployment');
    expect(coverage?.passed).to.equal(false);
    expect(coverage?.note).to.contain('task-servce');
  });
});

describe('npm run chaos when the declared policy is not the one daprd loaded', function () {
  this.timeout(180_000);

  it('reports the mismatch naming policy, target, expected and observed', async () => {
    // daprd runs with maxRetries 3; the harness is pointed at a copy that says 5.
    const variant = sutVariant();
    variant.editYaml('dapr-components/resiliency.yaml', (doc) => {
      const retries = (doc.spec as { policies: { retries: Record<string, { maxRetries: number }> } }).policies.retries;
      (retries.invokeRetry as { maxRetries: number }).maxRetries = 5;
    });
    const d = await sharedDeployment();
    const sidecars = sidecarsFileFor(d, [variant.components]);
    const out = join(mkdtempSync(join(tmpdir(), 'chaos-mismatch-')), 'run');
    const result = await runCli([
      'chaos',
      '--target',
      'external',
      '--sidecars-file',
      sidecars,
      '--grep',
      'persistent failure',
      '--out',
      out,
    ]);
    expect(result.code).to.equal(1);
    const probe = readResults(out).chaos.find((c) => c.probe === 'persistent failure');
    expect(probe?.passed).to.equal(false);
    expect(probe?.policy).to.contain('invokeRetry');
    expect(probe?.target).to.equal('sample-app → task-service');
    expect(probe?.expected.calleeCalls).to.equal(6);
    expect(probe?.observed.calleeCalls).to.equal(4);
  });
});
