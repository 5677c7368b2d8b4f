import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { readResults } from '../../harness/results/results-store';
import type { RunResults } from '../../harness/results/results-model';
import { DEFAULT_RUN_ROOT } from '../../harness/paths';
import { runCli } from '../support/cli';
import { startLocalDeployment, type LocalDeployment } from '../../harness/targets/local/local-target';
import { sidecarsFileFor } from '../support/external-sidecars';
import { FIXTURES, probeFixtureCopy, tempRunRoot } from '../support/fixtures';

const ACL_RUN_FILE = join(FIXTURES, 'acl.dapr.yaml');

function statuses(results: RunResults, pattern: RegExp): string[] {
  const found = results.tests.filter((t) => pattern.test(t.id));
  expect(found.length, `tests matching ${pattern}`).to.be.greaterThan(0);
  return found.map((t) => t.status);
}

/** Every file under `dir` whose content contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 50 * 1024 * 1024 && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

describe('security suites', function () {
  this.timeout(240_000);

  it('pass on a deployment with an allow-list, an API token and mTLS — and the token appears nowhere in what the run wrote', async () => {
    const token = `harness-secret-${randomBytes(12).toString('hex')}`;
    const appToken = `harness-app-secret-${randomBytes(12).toString('hex')}`;
    const out = mkdtempSync(join(tmpdir(), 'security-'));
    const result = await runCli(['acceptance', '--run-file', ACL_RUN_FILE, '--out', out, '--grep', 'security:'], {
      env: { DAPR_API_TOKEN: token, APP_API_TOKEN: appToken },
    });
    const results = readResults(out);
    const failed = results.tests.filter((t) => t.status === 'failed').map((t) => `${t.id}: ${t.failure?.message}`);
    expect(failed, result.stderr.slice(-1500)).to.deep.equal([]);
    expect(statuses(results, /T021/)).to.deep.equal(['passed', 'passed', 'passed']);
    expect(statuses(results, /T022/)).to.deep.equal(['passed', 'passed']);
    expect(statuses(results, /T020 a peer without a client certificate/)).to.deep.equal(['passed']);
    expect(result.code).to.equal(0);
    // Redaction: nothing the run wrote (results, report, junit, audit log, process logs, rendered resources) holds the token.
    const runDir = join(DEFAULT_RUN_ROOT, results.runId);
    for (const secret of [token, appToken]) {
      expect(filesContaining(out, secret), 'report directory').to.deep.equal([]);
      expect(filesContaining(runDir, secret), 'run directory').to.deep.equal([]);
      expect(result.stdout + result.stderr).not.to.contain(secret);
    }
    // The audit log records what the harness did to the deployment.
    const audit = readFileSync(join(out, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; target: string; outcome: string });
    expect(audit.filter((a) => a.action === 'process.start').map((a) => a.target)).to.include.members([
      'redis',
      'nats',
      'sentry',
      'probe-a',
      'probe-a-daprd',
    ]);
    expect(audit.filter((a) => a.action === 'process.stop').length).to.be.greaterThanOrEqual(7);
    expect(audit.every((a) => a.outcome === 'ok')).to.equal(true);
  });

  it('fail when the access-control policy does not do what it says (a policy for the wrong trust domain)', async () => {
    const parent = join(DEFAULT_RUN_ROOT, 'fixtures');
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(join(parent, 'acl-'));
    cpSync(FIXTURES, dir, { recursive: true });
    writeFileSync(
      join(dir, 'acl-config', 'config.yaml'),
      stringify({
        apiVersion: 'dapr.io/v1alpha1',
        kind: 'Configuration',
        metadata: { name: 'aclconfig' },
        spec: {
          mtls: { enabled: true },
          accessControl: {
            defaultAction: 'deny',
            trustDomain: 'public',
            policies: [
              {
                appId: 'probe-a',
                defaultAction: 'deny',
                trustDomain: 'elsewhere',
                namespace: 'default',
                operations: [{ name: '/hello', httpVerb: ['GET'], action: 'allow' }],
              },
            ],
          },
        },
      }),
    );
    const out = mkdtempSync(join(tmpdir(), 'security-broken-'));
    const result = await runCli(['acceptance', '--run-file', join(dir, 'acl.dapr.yaml'), '--out', out, '--grep', 'access control']);
    expect(result.code).to.equal(1);
    const results = readResults(out);
    expect(statuses(results, /an operation the policy allows reaches the callee/)).to.deep.equal(['failed']);
  });

  describe('on a deployment weaker than the requirements (no tokens, access control allows by default, tracing and metrics off)', () => {
    // One small deployment (the two probe apps) for every negative check below, each an external-target run against it.
    let weak: LocalDeployment | undefined;
    let sidecars: string;

    before(async function () {
      this.timeout(180_000);
      const fx = probeFixtureCopy();
      writeFileSync(
        join(fx.resources, 'config.yaml'),
        stringify({
          apiVersion: 'dapr.io/v1alpha1',
          kind: 'Configuration',
          metadata: { name: 'permissive' },
          spec: {
            mtls: { enabled: true },
            metric: { enabled: false },
            tracing: { samplingRate: '0' },
            accessControl: {
              defaultAction: 'allow',
              trustDomain: 'public',
              policies: [
                {
                  appId: 'probe-a',
                  defaultAction: 'deny',
                  trustDomain: 'public',
                  namespace: 'default',
                  operations: [{ name: '/hello', httpVerb: ['GET'], action: 'allow' }],
                },
              ],
            },
          },
        }),
      );
      weak = await startLocalDeployment({ runFile: fx.runFile, runRoot: tempRunRoot(), apiToken: false, appApiToken: false });
      sidecars = sidecarsFileFor(weak, [fx.resources]);
    });

    after(async function () {
      this.timeout(60_000);
      await weak?.stop();
    });

    const run = async (grep: string, env: Record<string, string>): Promise<{ code: number | null; results: RunResults }> => {
      const out = join(mkdtempSync(join(tmpdir(), 'security-weak-')), 'run');
      const result = await runCli(['acceptance', '--target', 'external', '--sidecars-file', sidecars, '--out', out, '--grep', grep], {
        env,
      });
      return { code: result.code, results: readResults(out) };
    };
    const failureOf = (results: RunResults, pattern: RegExp): string => {
      const found = results.tests.filter((t) => pattern.test(t.id));
      expect(
        found.map((t) => t.status),
        `tests matching ${pattern}`,
      )
        .to.deep.equal(found.map(() => 'failed'))
        .and.to.have.length.greaterThan(0);
      return found.map((t) => t.failure?.message ?? '').join('\n');
    };

    it('T021 fails naming accessControl.defaultAction, T022 naming DAPR_API_TOKEN and APP_API_TOKEN, T049/T050 naming metric.enabled and tracing.samplingRate', async () => {
      const { code, results } = await run('security:|observability:', { DAPR_API_TOKEN: '', APP_API_TOKEN: '' });
      expect(code).to.equal(1);
      for (const message of failureOf(results, /T021/).split('\n'))
        expect(message).to.contain('accessControl.defaultAction is allow in Configuration permissive').and.to.contain('set it to deny');
      expect(failureOf(results, /T022 sidecars refuse/))
        .to.contain('answer their API without a token')
        .and.to.contain('DAPR_API_TOKEN');
      expect(failureOf(results, /T022 apps refuse/)).to.contain('APP_API_TOKEN');
      expect(failureOf(results, /key metric families/)).to.contain('metric.enabled is false in Configuration permissive');
      expect(failureOf(results, /one trace spans/)).to.contain('tracing.samplingRate is "0"');
      expect(
        results.tests.filter((t) => t.status === 'skipped').map((t) => t.id),
        'nothing the deployment lacks is skipped',
      ).to.deep.equal([]);
    });

    it('T022 fails when the harness has a token but the sidecars do not require one', async () => {
      const { code, results } = await run('API token', { DAPR_API_TOKEN: 'expected-token-123456', APP_API_TOKEN: '' });
      expect(code).to.equal(1);
      expect(failureOf(results, /T022 sidecars refuse/)).to.contain('answered a call without a token');
    });
  });
});
