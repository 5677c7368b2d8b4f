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

  it('up --detach returns once ready and says how to get its API token; status reports healthy sidecars; down leaves nothing running', async () => {
    const runRoot = tempRunRoot();
    // No token given: the deployment generates its own, and up tells where to read it, never the token itself.
    const noTokens = { DAPR_API_TOKEN: '', APP_API_TOKEN: '' };
    const up = await runCli(['up', '--detach', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot], { env: noTokens });
    expect(up.code, up.stderr).to.equal(0);
    expect(up.stdout).to.match(/probe-a\s+127\.0\.0\.1:\d+/);
    const current = readCurrentRun(runRoot);
    expect(current?.apps.map((a) => a.appId)).to.deep.equal(['probe-a', 'probe-b']);
    const runId = current?.runId as string;
    const tokenFile = current?.apiToken.file as string;
    expect(up.stdout).to.contain(`export DAPR_API_TOKEN="$(cat ${tokenFile})"`);
    const token = readFileSync(tokenFile, 'utf8');
    expect(up.stdout + up.stderr).not.to.contain(token);

    const sidecar = current?.apps[0]?.sidecar.httpUrl as string;
    expect((await fetch(`${sidecar}/v1.0/metadata`)).status, 'no token').to.equal(401);
    const metadata = (await (await fetch(`${sidecar}/v1.0/metadata`, { headers: { 'dapr-api-token': token } })).json()) as {
      id: string;
      components: { type: string }[];
    };
    expect(metadata.id).to.equal('probe-a');
    expect(metadata.components.map((c) => c.type)).to.include.members(['state.redis', 'pubsub.jetstream']);

    const again = await runCli(['up', '--detach', '--run-file', PROBE_RUN_FILE, '--run-root', runRoot]);
    expect(again.code, 'a second up while one runs is refused').to.equal(2);
    expect(again.stderr).to.contain('ALREADY_UP');

    const status = await runCli(['status', '--run-root', runRoot], { env: noTokens });
    expect(status.code, status.stdout).to.equal(0);
    expect(status.stdout, "status reads the run's token file").to.match(/probe-b\s+healthy\s+\S+\s+1\.18\.2/);

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
