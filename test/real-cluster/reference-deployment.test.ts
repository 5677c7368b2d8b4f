import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterLayout } from '../../harness/cluster/cluster-layout';
import { kubeBinaries } from '../../harness/cluster/kube-binaries';
import { runCli, type CliResult } from '../support/cli';
import { clusterLeftovers, snapshotHost, type HostSnapshot } from '../cluster/cluster-leftovers';

/**
 * The reference deployment on the one-machine cluster, installed as k8s/dapr-system/README.md says (verbatim, the
 * single-node route) and `npm run deploy:k8s`, then the harness against it: acceptance passes with every story run,
 * and each deliberate breakage of the deployment makes it fail, naming what broke. One cluster for the group.
 */
const UP_TIMEOUT_MS = 40 * 60_000;
const NS = 'dapr-harness';

describe('real cluster: the reference deployment installed as the README says', function () {
  this.timeout(UP_TIMEOUT_MS + 30 * 60_000);
  const l = clusterLayout();
  const kubectlBin = kubeBinaries().kubectl;
  let baseline: HostSnapshot;
  let env: Record<string, string>;
  let outDir: string;

  const kubectl = (...args: string[]): string =>
    execFileSync(kubectlBin, args, { env: { ...process.env, KUBECONFIG: l.kubeconfig }, encoding: 'utf8', stdio: 'pipe' });
  const secret = (name: string): string =>
    Buffer.from(kubectl('-n', NS, 'get', 'secret', name, '-o', 'jsonpath={.data.token}'), 'base64').toString('utf8');
  const acceptance = (...extra: string[]): Promise<CliResult> =>
    runCli(
      [
        'acceptance',
        '--target',
        'kubernetes',
        '--kubeconfig',
        l.kubeconfig,
        '--namespace',
        NS,
        '--out',
        mkdtempSync(join(outDir, 'run-')),
        ...extra,
      ],
      { env, timeoutMs: 10 * 60_000 },
    );
  const summary = (r: CliResult): string => `${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`;

  before(async function () {
    baseline = snapshotHost();
    outDir = mkdtempSync(join(tmpdir(), 'real-cluster-'));
    // `up` installs Dapr and its backing services by k8s/dapr-system/README.md's single-node commands, verbatim.
    const up = await runCli(['cluster', 'up', '--detach'], { timeoutMs: UP_TIMEOUT_MS });
    expect(up.code, `cluster up failed: ${up.stderr.slice(-2000)}`).to.equal(0);
    expect(up.stdout).to.match(/installed by k8s\/dapr-system\/README\.md's commands/);
    const deploy = await runCli(['deploy:k8s', '--kubeconfig', l.kubeconfig], { timeoutMs: 5 * 60_000 });
    expect(deploy.code, deploy.stderr).to.equal(0);
    kubectl('-n', NS, 'wait', '--for=condition=Available', 'deployment', '--all', '--timeout=5m');
    env = { DAPR_API_TOKEN: secret('dapr-api-token'), APP_API_TOKEN: secret('app-api-token') };
  });

  after(async function () {
    const down = await runCli(['cluster', 'down'], { timeoutMs: 5 * 60_000 });
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    expect(down.code, down.stderr).to.equal(0);
    if (baseline) expect(clusterLeftovers(l, baseline)).to.deep.equal([]);
  });

  it('acceptance passes with every story run: injection, mTLS identities from Sentry, tokens from the secrets, spans', async () => {
    const r = await acceptance();
    expect(r.code, summary(r)).to.equal(0);
    expect(r.stdout + r.stderr).to.match(/ 0 failed · 0 skipped/);
  });

  it('fails the injection check for a Deployment whose pods got no daprd', async () => {
    // Dapr's webhook ignores failures: with the injector gone, an annotated pod starts without daprd.
    kubectl('-n', 'dapr-system', 'scale', 'deployment/dapr-sidecar-injector', '--replicas=0');
    kubectl('-n', 'dapr-system', 'wait', '--for=delete', 'pod', '-l', 'app=dapr-sidecar-injector', '--timeout=2m');
    try {
      kubectl('-n', NS, 'create', 'deployment', 'uninjected', '--image=dapr-harness/system-under-test:0.1.0');
      kubectl(
        '-n',
        NS,
        'patch',
        'deployment',
        'uninjected',
        '--type=merge',
        '-p',
        JSON.stringify({
          spec: { template: { metadata: { annotations: { 'dapr.io/enabled': 'true', 'dapr.io/app-id': 'uninjected' } } } },
        }),
      );
    } finally {
      kubectl('-n', 'dapr-system', 'scale', 'deployment/dapr-sidecar-injector', '--replicas=1');
      kubectl('-n', 'dapr-system', 'rollout', 'status', 'deployment/dapr-sidecar-injector', '--timeout=3m');
    }
    try {
      const r = await acceptance('--grep', 'platform');
      expect(r.code, summary(r)).to.not.equal(0);
      expect(r.stdout + r.stderr).to.match(/not running with their sidecars: [^\n]*uninjected/);
    } finally {
      kubectl('-n', NS, 'delete', 'deployment', 'uninjected', '--wait=true');
    }
  });

  it('fails T020 when mTLS is off in the cluster Configuration', async () => {
    const patch = (enabled: boolean): string =>
      kubectl(
        '-n',
        'dapr-system',
        'patch',
        'configuration',
        'daprsystem',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { mtls: { enabled } } }),
      );
    patch(false);
    try {
      const r = await acceptance('--grep', 'T020');
      expect(r.code, summary(r)).to.not.equal(0);
      expect(r.stdout + r.stderr).to.include('mTLS is off in this deployment');
    } finally {
      patch(true);
    }
  });

  it('fails the platform story when the state store is scoped away from an app', async () => {
    const restartApps = (): void => {
      kubectl('-n', NS, 'rollout', 'restart', 'deployment');
      kubectl('-n', NS, 'rollout', 'status', 'deployment', '--timeout=5m');
    };
    // Sidecars read their components when they start: the apps restart after each change.
    kubectl('-n', NS, 'patch', 'component', 'statestore', '--type=merge', '-p', JSON.stringify({ scopes: ['sample-app'] }));
    try {
      restartApps();
      const r = await acceptance('--grep', 'platform');
      expect(r.code, summary(r)).to.not.equal(0);
      expect(r.stdout + r.stderr).to.match(/has a state store/);
    } finally {
      kubectl('-n', NS, 'patch', 'component', 'statestore', '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/scopes' }]));
      restartApps();
    }
  });

  it('fails the preflight naming the part of the control plane scaled to 0', async () => {
    kubectl('-n', 'dapr-system', 'scale', 'deployment/dapr-operator', '--replicas=0');
    try {
      kubectl('-n', 'dapr-system', 'wait', '--for=delete', 'pod', '-l', 'app=dapr-operator', '--timeout=2m');
      const r = await acceptance('--grep', 'platform');
      expect(r.code, summary(r)).to.not.equal(0);
      expect(r.stdout + r.stderr).to.match(/the Dapr control plane is not ready: [^\n]*dapr-operator/);
    } finally {
      kubectl('-n', 'dapr-system', 'scale', 'deployment/dapr-operator', '--replicas=1');
      kubectl('-n', 'dapr-system', 'rollout', 'status', 'deployment/dapr-operator', '--timeout=3m');
    }
  });
});
