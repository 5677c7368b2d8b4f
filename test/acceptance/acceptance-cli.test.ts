import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../harness/results/results-store';
import type { RunResults } from '../../harness/results/results-model';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { sharedDeployment } from '../support/shared-deployment';
import { finished, runCli, startCli } from '../support/cli';
import { sutVariant } from '../support/sut-variant';
import { survivorsAfter } from '../support/processes';
import { sidecarsFileFor } from '../support/external-sidecars';

function outDir(): string {
  return mkdtempSync(join(tmpdir(), 'acceptance-out-'));
}

function statusOf(results: RunResults, pattern: RegExp): string[] {
  const matching = results.tests.filter((t) => pattern.test(t.id));
  expect(matching.length, `tests matching ${pattern}`).to.be.greaterThan(0);
  return matching.map((t) => t.status);
}

describe('npm run acceptance', function () {
  this.timeout(300_000);

  it('passes every test an external target can observe on a correct deployment with API tokens on; the rest is skipped as not observable, which is no pass', async () => {
    const d = await sharedDeployment();
    const out = join(outDir(), 'run');
    const result = await runCli(['acceptance', '--target', 'external', '--sidecars-file', sidecarsFileFor(d), '--out', out]);
    const results = readResults(out);
    const failed = results.tests.filter((t) => t.status === 'failed' && !t.deviation).map((t) => `${t.id}: ${t.failure?.message}`);
    expect(failed, result.stdout.slice(-2000)).to.deep.equal([]);
    expect(results.partial).to.equal(false);
    expect(results.tests.length).to.be.greaterThan(20);
    for (const story of ['US1', 'US2', 'US3'])
      expect(
        results.tests.some((t) => t.tags.includes(story)),
        story,
      ).to.equal(true);
    // The shared deployment requires an API token and an app API token: the T022 checks run, and every story passes with them.
    expect(d.apiToken && d.appApiToken, 'the shared deployment runs with tokens').to.be.a('string');
    expect(statusOf(results, /T022/)).to.deep.equal(['passed', 'passed']);
    expect(statusOf(results, /T021/)).to.deep.equal(['passed', 'passed', 'passed']);
    // Only what this target cannot see is skipped, each with its reason: the NATS server behind the sidecars and
    // the spans they export elsewhere. A skip is never a pass, so the run's verdict is not a pass either.
    const skipped = results.tests.filter((t) => t.status === 'skipped');
    expect(skipped.map((t) => t.skip?.kind)).to.deep.equal(['not-observable', 'not-observable']);
    expect(skipped.map((t) => t.id).join('\n'))
      .to.contain('NATS JetStream')
      .and.to.contain('one trace spans');
    expect(result.code).to.equal(1);
    expect(result.stdout).to.contain('verdict: FAIL (2 skipped)');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).to.contain('<testsuites');
    expect(result.stdout).to.match(/US1\s+\d+\s+0\s+\d+\s+0\s+pass/);
  });

  it('fails the stories a broken deployment breaks: missing subscriber, no retry policy, tracing and metrics off', async () => {
    const variant = sutVariant();
    // 1. analytics-service is gone: a subscriber the deployment is supposed to have.
    variant.editYaml('system-under-test/dapr.yaml', (doc) => {
      doc.apps = (doc.apps as { appID: string }[]).filter((a) => a.appID !== 'analytics-service');
    });
    // 2. The resiliency policy no longer retries calls to task-service.
    variant.editYaml('dapr-components/resiliency.yaml', (doc) => {
      const targets = (doc.spec as { targets: { apps?: Record<string, { retry?: string }> } }).targets;
      delete targets.apps?.['task-service']?.retry;
    });
    // 3. Tracing and metrics are switched off in the Configuration.
    variant.editYaml('dapr-components/config.yaml', (doc) => {
      const spec = doc.spec as { tracing: { samplingRate: string }; metric: { enabled: boolean } };
      spec.tracing.samplingRate = '0';
      spec.metric.enabled = false;
    });
    const out = outDir();
    const result = await runCli(
      ['acceptance', '--run-file', variant.runFile, '--out', out, '--grep', 'platform|US1|created task reaches|observability'],
      { timeoutMs: 240_000 },
    );
    expect(result.code, result.stderr.slice(-1000)).to.equal(1);
    const results = readResults(out);
    expect(statusOf(results, /every app of the reference deployment is present/)).to.deep.equal(['failed']);
    expect(statusOf(results, /a created task reaches every subscriber$/)).to.deep.equal(['failed']);
    expect(statusOf(results, /transient failure is retried/)).to.deep.equal(['failed']);
    expect(statusOf(results, /Configuration turns on mTLS, metrics and full trace sampling/)).to.deep.equal(['failed']);
    expect(statusOf(results, /one trace spans/)).to.deep.equal(['failed']);
    expect(statusOf(results, /exports the key metric families/)).to.deep.equal(['failed']);
    // Each failure names the setting to change.
    const message = (pattern: RegExp): string => results.tests.find((t) => pattern.test(t.id))?.failure?.message ?? '';
    expect(message(/one trace spans/)).to.contain('tracing.samplingRate is "0"');
    expect(message(/exports the key metric families/)).to.contain('metric.enabled is false');
    // What the breakage does not touch still passes: the harness tells them apart.
    expect(statusOf(results, /T020 mTLS is in force/)).to.deep.equal(['passed']);
    expect(statusOf(results, /reached by app id only/)).to.deep.equal(['passed']);
    expect(statusOf(results, /404 reaches the caller as 404/)).to.deep.equal(['passed']);
    expect(result.stdout).to.match(/FAIL/);
  });

  it("fails the mTLS checks when mTLS is off (and access control, which needs the callers' identities, denies every call)", async () => {
    const variant = sutVariant();
    variant.editYaml('dapr-components/config.yaml', (doc) => {
      (doc.spec as { mtls: { enabled: boolean } }).mtls.enabled = false;
    });
    const out = outDir();
    const result = await runCli(
      ['acceptance', '--run-file', variant.runFile, '--out', out, '--grep', 'platform|security: mTLS|reached by app id only'],
      { timeoutMs: 240_000 },
    );
    expect(result.code).to.equal(1);
    const results = readResults(out);
    expect(statusOf(results, /T020 mTLS is in force/)).to.deep.equal(['failed']);
    expect(statusOf(results, /peer without a client certificate is refused/)).to.deep.equal(['failed']);
    expect(statusOf(results, /Configuration turns on mTLS/)).to.deep.equal(['failed']);
    expect(results.tests.find((t) => /reached by app id only/.test(t.id))?.failure?.message).to.contain('403');
    expect(statusOf(results, /every sidecar is healthy/)).to.deep.equal(['passed']);
  });

  it('Ctrl-C mid-run keeps the results so far, marked partial, and stops the deployment', async () => {
    const out = outDir();
    const child = startCli(['acceptance', '--out', out]);
    const done = finished(child, 240_000);
    const deadline = Date.now() + 200_000;
    const testsSoFar = (): number => {
      try {
        return readResults(out).tests.length;
      } catch {
        return 0;
      }
    };
    while (testsSoFar() < 2 && Date.now() < deadline) await sleep(200);
    expect(testsSoFar(), 'tests ran before the interrupt').to.be.greaterThanOrEqual(2);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).to.equal(1);
    const results = readResults(out);
    expect(results.partial).to.equal(true);
    expect(results.tests.length).to.be.greaterThanOrEqual(2);
    expect(existsSync(join(out, 'junit.xml'))).to.equal(true);
    const runId = results.runId;
    expect(await survivorsAfter(runId)).to.deep.equal([]);
  });

  it('bad flags are one-line errors with exit code 2', async () => {
    const unknown = await runCli(['acceptance', '--target', 'moon']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr.trim().split('\n')).to.have.length(1);
    expect(unknown.stderr).to.contain('unknown target "moon"').and.to.contain('--target local, external, kubernetes');
    const noSidecars = await runCli(['acceptance', '--target', 'external']);
    expect(noSidecars.code).to.equal(2);
    expect(noSidecars.stderr).to.contain('--sidecar');
    const unreachable = await runCli([
      'acceptance',
      '--target',
      'external',
      '--sidecar',
      'sample-app=http://127.0.0.1:1',
      '--out',
      outDir(),
    ]);
    expect(unreachable.code).to.equal(2);
    expect(unreachable.stderr).to.contain('SIDECAR_UNREACHABLE');
  });
});
