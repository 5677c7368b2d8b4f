import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCurrentRun } from '../../harness/targets/local/current-run';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { PROBE_RUN_FILE, tempRunRoot } from '../support/fixtures';
import { finished, runCli, startCli } from '../support/cli';
import { survivorsAfter } from '../support/processes';

describe('CLI: up, status, down and interruption', function () {
  this.timeout(240_000);

  it('up --detach returns once ready; status reports healthy sidecars; down leaves nothing running', async () => {
    const runRoot = tempRunRoot();
    const up = await runCli(['up', '--detach', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot]);
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.match(/probe-a\s+127\.0\.0\.1:\d+/);
    const current = readCurrentRun(runRoot);
    expect(current?.apps.map((a) => a.appId)).to.deep.equal(['probe-a', 'probe-b']);
    const runId = current?.runId as string;

    const metadata = (await (await fetch(`${current?.apps[0]?.sidecar.httpUrl}/v1.0/metadata`)).json()) as { id: string; components: { type: string }[] };
    expect(metadata.id).to.equal('probe-a');
    expect(metadata.components.map((c) => c.type)).to.include.members(['state.redis', 'pubsub.jetstream']);

    const again = await runCli(['up', '--detach', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot]);
    expect(again.code, 'a second up while one runs is refused').to.equal(2);
    expect(again.stderr).to.contain('ALREADY_UP');

    const status = await runCli(['status', '--run-root', runRoot]);
    expect(status.code, status.stdout).to.equal(0);
    expect(status.stdout).to.match(/probe-b\s+healthy/);

    const down = await runCli(['down', '--run-root', runRoot]);
    expect(down.code, down.stderr).to.equal(0);
    expect(await survivorsAfter(runId)).to.deep.equal([]);
    expect(readCurrentRun(runRoot)).to.equal(undefined);

    const statusAfter = await runCli(['status', '--run-root', runRoot]);
    expect(statusAfter.code).to.equal(1);
  });

  it('SIGINT in the middle of start-up stops whatever had started and leaves no process behind', async () => {
    const runRoot = tempRunRoot();
    const runId = `interrupt-${Date.now()}`;
    const child = startCli(['up', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot, '--run-id', runId]);
    const done = finished(child, 120_000);
    // Interrupt once the infrastructure is up but before the sidecars are: the hardest point to clean up.
    const sentryLog = join(runRoot, runId, 'logs', 'sentry.log');
    const deadline = Date.now() + 60_000;
    while (!(existsSync(sentryLog) && readFileSync(sentryLog, 'utf8').length > 0) && Date.now() < deadline) await sleep(50);
    expect(existsSync(sentryLog), 'start-up reached sentry').to.equal(true);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr).to.contain('INTERRUPTED');
    expect(await survivorsAfter(runId, 5_000)).to.deep.equal([]);
    expect(readCurrentRun(runRoot)).to.equal(undefined);
  });

  it('SIGTERM to a foreground up stops everything and exits 0', async () => {
    const runRoot = tempRunRoot();
    const runId = `sigterm-${Date.now()}`;
    const child = startCli(['up', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot, '--run-id', runId]);
    const done = finished(child, 150_000);
    const deadline = Date.now() + 120_000;
    while (readCurrentRun(runRoot)?.runId !== runId && Date.now() < deadline) await sleep(100);
    expect(readCurrentRun(runRoot)?.runId, 'deployment became ready').to.equal(runId);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).to.equal(0);
    expect(await survivorsAfter(runId, 5_000)).to.deep.equal([]);
  });

  it('down sweeps the processes of a run whose supervisor was killed', async () => {
    const runRoot = tempRunRoot();
    const up = await runCli(['up', '--detach', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot]);
    expect(up.code, up.stderr).to.equal(0);
    const current = readCurrentRun(runRoot);
    process.kill(current?.supervisorPid as number, 'SIGKILL');
    const down = await runCli(['down', '--run-root', runRoot]);
    expect(down.code).to.equal(0);
    expect(down.stderr).to.match(/stray processes killed/);
    expect(await survivorsAfter(current?.runId as string)).to.deep.equal([]);
  });
});
