import { expect } from 'chai';
import { mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResults } from '../../harness/results/results-store';
import { commandPath } from '../../harness/process/required-commands';
import { runCli } from '../support/cli';
import { survivorsAfter } from '../support/processes';

const outDir = (): string => join(mkdtempSync(join(tmpdir(), 'matrix-')), 'run');
const postgresDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('dapr-harness-postgres-'));

describe('component selection and the matrix', function () {
  this.timeout(600_000);

  it('an unknown component name is exit 2 with one line naming the choices', async () => {
    const acceptance = await runCli(['acceptance', '--pubsub', 'kafka', '--out', outDir()]);
    expect(acceptance.code).to.equal(2);
    expect(acceptance.stderr.trim().split('\n')).to.have.length(1);
    expect(acceptance.stderr).to.contain('use --pubsub nats, rabbitmq, redis-streams, mqtt');
    const matrix = await runCli(['matrix', '--state', 'postgres,mongodb', '--out', outDir()]);
    expect(matrix.code).to.equal(2);
    expect(matrix.stderr).to.contain('unknown state component "postgres" (did you mean postgresql?)');
    expect(matrix.stderr).to.contain('use --state redis, postgresql, mysql');
  });

  it('a missing server binary is exit 2 with one line naming its Debian package, before anything starts', async () => {
    // A PATH with the servers the default set needs but without mosquitto.
    const bin = mkdtempSync(join(tmpdir(), 'path-'));
    for (const name of ['nats-server', 'redis-server']) symlinkSync(commandPath(name) as string, join(bin, name));
    const out = outDir();
    const result = await runCli(['acceptance', '--pubsub', 'mqtt', '--out', out], { env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.contain('`mosquitto` is not installed');
    expect(result.stderr).to.contain('apt-get install mosquitto');
  });

  it('npm run matrix checks RabbitMQ and PostgreSQL on servers of their own, renders the matrix and leaves nothing behind', async () => {
    const before = postgresDirs();
    const out = outDir();
    const result = await runCli(
      ['matrix', '--pubsub', 'rabbitmq', '--state', 'postgresql', '--rows', 'delivery,transaction,query', '--out', out],
      {
        timeoutMs: 540_000,
      },
    );
    expect(result.code, `${result.stdout.slice(-1500)}\n${result.stderr.slice(-1500)}`).to.equal(0);
    const results = readResults(out);
    expect(results.kind).to.equal('matrix');
    const m = results.matrix;
    if (!m) throw new Error('no matrix section in results.json');
    expect(m.columns.map((c) => `${c.area}:${c.choice}:${c.type}`)).to.deep.equal([
      'pubsub:rabbitmq:pubsub.rabbitmq',
      'state:postgresql:state.postgresql',
    ]);
    // The features come from daprd's metadata API, not from the harness.
    expect(m.columns[1]?.capabilities).to.include.members(['ETAG', 'TRANSACTIONAL', 'TTL']);
    const cell = (row: string, choice: string): string | undefined => m.rows.find((r) => r.id === row)?.cells[choice]?.status;
    expect(cell('delivery', 'rabbitmq')).to.equal('passed');
    expect(cell('transaction', 'postgresql')).to.equal('passed');
    // PostgreSQL v1 declares QUERY_API, so the query row is checked (a store that does not is "unsupported").
    expect(m.columns[1]?.capabilities).to.include('QUERY_API');
    expect(cell('query', 'postgresql')).to.equal('passed');
    expect(results.metrics.find((s) => s.name === 'matrix.state.postgresql.transaction')?.rate).to.equal(1);
    expect(result.stdout).to.match(/transaction atomicity\s+pass/);
    // Every set's run, with the metadata that decided "not supported", is kept as evidence.
    for (const c of m.columns) {
      const set = readResults(join(out, c.runDir));
      expect(await survivorsAfter(set.runId), `processes of ${c.runDir} still running`).to.deep.equal([]);
      expect(readdirSync(join(out, c.runDir))).to.include.members(['metadata.json', 'logs']);
    }
    expect(postgresDirs()).to.deep.equal(before);
    // The gate can require a cell; one the run did not check (mysql) is unmeasured, and fails.
    const criteria = join(out, '..', 'criteria.yaml');
    writeFileSync(
      criteria,
      "criteria:\n  matrix.state.postgresql.transaction: ['rate==1']\n  matrix.pubsub.rabbitmq.delivery: ['rate==1']\n",
    );
    expect((await runCli(['gate', '--criteria', criteria, '--results', out])).code).to.equal(0);
    writeFileSync(criteria, "criteria:\n  matrix.state.mysql.transaction: ['rate==1']\n");
    expect((await runCli(['gate', '--criteria', criteria, '--results', out])).code).to.equal(1);
  });
});
