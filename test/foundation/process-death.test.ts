import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../harness/results/results-store';
import { sleep } from '../../harness/process/wait/wait-strategy';
import type { LocalDeploymentDescription } from '../../harness/targets/local/deployment-description';
import { DEFAULT_RUN_ROOT } from '../../harness/paths';
import { finished, startCli } from '../support/cli';
import { survivorsAfter } from '../support/processes';

function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isFile() && st.size < 50 * 1024 * 1024 && readFileSync(p).includes(needle)) hits.push(p);
  }
  return hits;
}

describe('a process that dies during a run', function () {
  this.timeout(300_000);

  it('is a PROCESS_DIED error naming the app, and fails the story it broke (subscriber killed during US2)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'process-death-'));
    // No token given: the reference deployment runs with tokens it generated for the run.
    const child = startCli(['acceptance', '--grep', 'US2', '--out', out], { DAPR_API_TOKEN: '', APP_API_TOKEN: '' });
    const done = finished(child, 280_000);
    const testsSoFar = (): number => {
      try {
        return readResults(out).tests.length;
      } catch {
        return 0;
      }
    };
    const deadline = Date.now() + 240_000;
    while (testsSoFar() < 1 && Date.now() < deadline) await sleep(100);
    expect(testsSoFar(), 'a US2 test finished').to.be.greaterThanOrEqual(1);
    const runId = readResults(out).runId;
    const description = JSON.parse(readFileSync(join(DEFAULT_RUN_ROOT, runId, 'deployment.json'), 'utf8')) as LocalDeploymentDescription;
    const victim = description.processes.find((p) => p.name === 'audit-service')?.pid as number;
    // Killed from outside, as an OOM killer or a crash would: not through the harness's controls.
    process.kill(-victim, 'SIGKILL');
    const result = await done;

    const results = readResults(out);
    const record = JSON.stringify(
      { errors: results.errors, tests: results.tests.map((t) => `${t.status} ${t.title}: ${t.failure?.message ?? ''}`) },
      null,
      1,
    );
    expect(result.code, `${result.stderr.slice(-1500)}\n${record}`).to.equal(1);
    expect(results.partial).to.equal(false);
    const died = results.errors.filter((e) => e.code === 'PROCESS_DIED');
    expect(
      died.map((e) => e.message),
      record,
    ).to.have.length(1);
    expect(died[0]?.message).to.contain('app audit-service').and.to.contain('signal SIGKILL').and.to.contain('audit-service.log');
    const us2 = results.tests.filter((t) => t.tags.includes('US2'));
    const failed = us2.filter((t) => t.status === 'failed');
    expect(failed.length, `the US2 story fails: ${record}`).to.be.greaterThan(0);
    expect(failed.map((t) => t.failure?.message ?? '').join('\n'), 'the failure names the dead app').to.contain(
      'audit-service died during the run',
    );
    expect(result.stderr).to.contain('app audit-service died during the run');
    expect(await survivorsAfter(runId)).to.deep.equal([]);

    // The run's generated tokens are in their 0600 files only, never in what the run wrote.
    const secrets = join(DEFAULT_RUN_ROOT, runId, 'secrets');
    for (const file of ['dapr-api-token', 'app-api-token']) {
      const token = readFileSync(join(secrets, file), 'utf8');
      expect(filesContaining(out, token), 'report directory').to.deep.equal([]);
      expect(
        filesContaining(join(DEFAULT_RUN_ROOT, runId), token).filter((f) => !f.startsWith(secrets)),
        'run directory',
      ).to.deep.equal([]);
      expect(result.stdout + result.stderr).not.to.contain(token);
    }
    expect(existsSync(join(out, 'junit.xml'))).to.equal(true);
  });
});
