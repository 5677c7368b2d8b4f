import { expect } from 'chai';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalDeployment } from '../../harness/targets/local/local-target';
import { HarnessError } from '../../harness/errors/harness-error';
import { probeFixtureCopy, tempRunRoot } from '../support/fixtures';
import { runCli } from '../support/cli';
import { survivorsAfter } from '../support/processes';

async function startFails(runFile: string): Promise<HarnessError> {
  const runRoot = tempRunRoot();
  try {
    await startLocalDeployment({ runFile, runRoot });
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    // Input is checked before anything starts: no run directory, so no process, was made.
    expect(readdirSync(runRoot)).to.deep.equal([]);
    return err as HarnessError;
  }
  throw new Error('the deployment started although its input is broken');
}

describe('bad input fails fast with a one-line error and exit code 2', function () {
  this.timeout(60_000);

  it('a component file that is not valid YAML names the file and line', async () => {
    const fx = probeFixtureCopy();
    appendFileSync(join(fx.resources, 'statestore.yaml'), '    - name: [unclosed\n');
    const err = await startFails(fx.runFile);
    expect(err.code).to.equal('RESOURCE_INVALID');
    expect(err.message).to.contain(join(fx.resources, 'statestore.yaml'));
    expect(err.message).to.match(/statestore\.yaml:\d+/);
  });

  it('a component without spec.type names the file and the missing field', async () => {
    const fx = probeFixtureCopy();
    writeFileSync(
      join(fx.resources, 'broken.yaml'),
      'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: broken\nspec:\n  version: v1\n',
    );
    const err = await startFails(fx.runFile);
    expect(err.message).to.contain('broken.yaml');
    expect(err.message).to.contain('spec.type');
  });

  it('a JetStream component without a stream to bind to is refused before start', async () => {
    const fx = probeFixtureCopy();
    writeFileSync(
      join(fx.resources, 'pubsub.yaml'),
      'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: pubsub\nspec:\n  type: pubsub.jetstream\n  version: v1\n  metadata: []\n',
    );
    const err = await startFails(fx.runFile);
    expect(err.message).to.contain('streamName');
  });

  it('a run file with a duplicate app id is refused', async () => {
    const fx = probeFixtureCopy();
    writeFileSync(
      fx.runFile,
      'version: 1\napps:\n  - appID: a\n    appDirPath: ./probe-app\n    command: ["node"]\n  - appID: a\n    appDirPath: ./probe-app\n    command: ["node"]\n',
    );
    const err = await startFails(fx.runFile);
    expect(err.message).to.contain('appears twice');
  });

  it('the CLI prints one line and exits 2 for a broken component file', async () => {
    const fx = probeFixtureCopy();
    writeFileSync(join(fx.resources, 'broken.yaml'), 'kind: Component\n');
    const result = await runCli(['up', '--detach', '--run-file', fx.runFile, '--run-root', tempRunRoot()]);
    expect(result.code).to.equal(2);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('broken.yaml');
  });

  it('the CLI exits 2 for an unknown flag and for a missing run file', async () => {
    const flag = await runCli(['up', '--no-such-flag']);
    expect(flag.code).to.equal(2);
    expect(flag.stderr).to.contain("unknown option '--no-such-flag'");
    const missing = await runCli(['up', '--run-file', '/nonexistent/dapr.yaml', '--run-root', tempRunRoot()]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('RUN_FILE_MISSING');
  });

  it('a missing runtime build is a usage error that says how to build it', async () => {
    const result = await runCli(['up', '--run-root', tempRunRoot()], { env: { DAPR_HARNESS_RUNTIME_DIR: '/nonexistent/runtime' } });
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('npm run runtime');
    expect(existsSync('/nonexistent/runtime')).to.equal(false);
  });
});

describe('a component daprd refuses at start', function () {
  this.timeout(120_000);

  it("fails the start with daprd's reason and the component's file, and stops everything", async () => {
    const fx = probeFixtureCopy();
    const file = join(fx.resources, 'statestore.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('state.redis', 'state.nosuchstore'));
    const runRoot = tempRunRoot();
    let error: unknown;
    try {
      await startLocalDeployment({ runFile: fx.runFile, runRoot });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(HarnessError);
    expect((error as HarnessError).message)
      .to.contain("couldn't find state store state.nosuchstore/v1")
      .and.to.contain(file);
    const [runId] = readdirSync(runRoot);
    expect(await survivorsAfter(runId as string, 5_000)).to.deep.equal([]);
  });
});
