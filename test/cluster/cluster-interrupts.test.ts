import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { clusterLayout } from '../../harness/cluster/cluster-layout';
import { HostJournal } from '../../harness/cluster/host-journal';
import { poll } from '../../harness/process/wait/poll';
import { finished, runCli, startCli, type CliResult } from '../support/cli';
import { clusterLeftovers, snapshotHost } from './cluster-leftovers';

const l = clusterLayout();

function helmRunning(): boolean {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .some((pid) => {
      try {
        // argv[0] as the shell ran it: "helm" when found on PATH, a path otherwise.
        const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
        return argv0 === 'helm' || argv0.endsWith('/helm');
      } catch {
        return false;
      }
    });
}
const START_MS = 10 * 60_000;

/**
 * Starts `cluster up` in the foreground (without Dapr unless asked: the node is what most of these interrupt);
 * `exit` resolves with how it ended, `output` is its stdout so far, `progress` its stderr.
 */
function foregroundUp(withDapr = false): { child: ChildProcess; exit: Promise<CliResult>; output: () => string; progress: () => string } {
  const child = startCli(['cluster', 'up', ...(withDapr ? [] : ['--no-dapr'])]);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { child, exit: finished(child, START_MS + 5 * 60_000), output: () => out, progress: () => err };
}

/** Resolves once the start has spawned `name`: the journal records each process as it is spawned. */
async function startedUpTo(name: string): Promise<void> {
  const journal = new HostJournal(l.journal);
  await poll(`${name} to be started`, async () => journal.entries().some((e) => e.kind === 'process' && e.name === name), {
    timeoutMs: START_MS,
    intervalMs: 100,
  });
}

describe('the one-machine cluster on every way out: Ctrl-C, an interrupted start, a killed supervisor', function () {
  this.timeout(START_MS + 10 * 60_000);

  afterEach(async () => {
    // Whatever a failed test left is undone before the next one starts.
    await runCli(['cluster', 'down'], { timeoutMs: 5 * 60_000 });
  });

  it('a foreground up stops everything and undoes its host changes on Ctrl-C', async () => {
    const before = snapshotHost();
    const up = foregroundUp();
    await poll('the cluster to be up', async () => up.output().includes('kubeconfig:'), { timeoutMs: START_MS, intervalMs: 500 });
    up.child.kill('SIGINT');
    const result = await up.exit;
    expect(result.code, result.stderr.slice(-1500)).to.equal(0);
    expect(result.stderr).to.match(/cluster stopped; \d+ host change\(s\) undone/);
    expect(clusterLeftovers(l, before)).to.deep.equal([]);
  });

  it('Ctrl-C in the middle of the start undoes what was started so far', async () => {
    const before = snapshotHost();
    const up = foregroundUp();
    await startedUpTo('kube-apiserver');
    up.child.kill('SIGINT');
    const result = await up.exit;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('INTERRUPTED');
    expect(clusterLeftovers(l, before)).to.deep.equal([]);
  });

  it('Ctrl-C while Dapr is being installed ends helm and kubectl and undoes everything', async () => {
    const before = snapshotHost();
    const up = foregroundUp(true);
    await poll('the Dapr install to start', async () => up.progress().includes('Dapr and its backing services: '), {
      timeoutMs: START_MS,
      intervalMs: 200,
    });
    await poll('helm to run', async () => (helmRunning() ? true : undefined), { timeoutMs: 120_000, intervalMs: 200 });
    up.child.kill('SIGINT');
    const result = await up.exit;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('INTERRUPTED');
    expect(helmRunning(), 'a helm process left running').to.equal(false);
    expect(clusterLeftovers(l, before)).to.deep.equal([]);
  });

  it('down while the cluster is still starting stops the start and undoes what it had done', async () => {
    const before = snapshotHost();
    const up = foregroundUp();
    await startedUpTo('kube-apiserver');
    const down = await runCli(['cluster', 'down'], { timeoutMs: 5 * 60_000 });
    expect(down.code, down.stderr).to.equal(0);
    const result = await up.exit;
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('INTERRUPTED');
    expect(clusterLeftovers(l, before)).to.deep.equal([]);
  });

  it('after its supervisor is killed with SIGKILL, down undoes everything from the journal', async () => {
    const before = snapshotHost();
    const up = foregroundUp();
    await poll('the cluster to be up', async () => up.output().includes('kubeconfig:'), { timeoutMs: START_MS, intervalMs: 500 });
    up.child.kill('SIGKILL');
    await up.exit;
    const status = await runCli(['cluster', 'status']);
    expect(status.code, 'status of a cluster whose supervisor is gone').to.equal(1);
    expect(status.stdout).to.include('supervisor pid');
    expect(status.stdout).to.include('GONE');
    const down = await runCli(['cluster', 'down'], { timeoutMs: 5 * 60_000 });
    expect(down.code, down.stderr).to.equal(0);
    expect(down.stderr).to.match(/cluster stopped; \d+ host change\(s\) undone/);
    expect(clusterLeftovers(l, before)).to.deep.equal([]);
  });
});
