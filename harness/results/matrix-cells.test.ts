import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';
import { MATRIX_ROWS, allMatrixMetricNames, type MatrixColumn, type MatrixRowDefinition } from './component-matrix';
import { matrixCell, matrixMetrics, matrixRows } from './matrix-cells';
import type { ChaosResult, TestResult } from './results-model';

const test = (title: string, status: TestResult['status'], extra: Partial<TestResult> = {}): TestResult => ({
  id: `suite ${title}`,
  title,
  suitePath: ['suite'],
  tags: [],
  status,
  durationMs: 1,
  measurements: {},
  ...extra,
});
const row = (id: string): MatrixRowDefinition => MATRIX_ROWS.find((r) => r.id === id) as MatrixRowDefinition;
const column = (capabilities?: string[]): MatrixColumn => ({
  area: 'state',
  choice: 'postgresql',
  type: 'state.postgresql',
  capabilities,
  runDir: 'sets/x',
});

describe('matrix cells', () => {
  it('a row needing a feature the component does not declare is "unsupported", whatever its test did', () => {
    const r = row('query');
    const cell = matrixCell(r, column(['ETAG', 'TRANSACTIONAL']), { tests: [test(r.tests[0] as string, 'failed')], chaos: [] });
    expect(cell.status).to.equal('unsupported');
    expect(cell.detail).to.contain('declares ETAG, TRANSACTIONAL, not QUERY_API');
  });

  it('a feature Dapr emulates is decided by the test, with a note', () => {
    const r = row('bulk_publish');
    const cell = matrixCell(r, { ...column([]), area: 'pubsub' }, { tests: [test(r.tests[0] as string, 'passed')], chaos: [] });
    expect(cell.status).to.equal('passed');
    expect(cell.detail).to.contain('Dapr emulates it');
  });

  it('passed, failed, known deviation, missing and a skip (a failure) come from the tests', () => {
    const r = row('transaction');
    const title = r.tests[0] as string;
    const run = (t?: TestResult): { tests: TestResult[]; chaos: ChaosResult[] } => ({ tests: t ? [t] : [], chaos: [] });
    const declared = column(['TRANSACTIONAL']);
    expect(matrixCell(r, declared, run(test(title, 'passed'))).status).to.equal('passed');
    expect(matrixCell(r, declared, run(test(title, 'failed', { failure: { message: 'x applied\nmore' } }))).detail).to.equal('x applied');
    const deviation = matrixCell(r, declared, run(test(title, 'failed', { deviation: { reason: 'no rollback', link: 'https://x' } })));
    expect(deviation.status).to.equal('deviation');
    expect(deviation.detail).to.contain('https://x');
    expect(matrixCell(r, declared, run()).status).to.equal('missing');
    expect(matrixCell(r, declared, run(test(title, 'skipped', { skip: { kind: 'not-observable', reason: 'r' } }))).status).to.equal(
      'failed',
    );
    expect(matrixCell(r, declared, run(test(title, 'passed'))).evidence).to.deep.equal({ runDir: 'sets/x', tests: [`suite ${title}`] });
  });

  it("a row decided by some of a chaos probe's checks passes when those hold, even if another check failed", () => {
    const drop = row('drop');
    const deadLetter = row('dead_letter');
    const probe: ChaosResult = {
      probe: 'DROP goes to the dead-letter topic',
      target: 't',
      expected: { deadLettered: 1, redeliveredOnTopic: 0 },
      observed: { deadLettered: 0, redeliveredOnTopic: 0 },
      passed: false,
    };
    const run = { tests: [test(drop.tests[0] as string, 'failed')], chaos: [probe] };
    const pubsub: MatrixColumn = { area: 'pubsub', choice: 'mqtt', runDir: 'sets/m' };
    expect(matrixCell(drop, pubsub, run).status).to.equal('passed');
    expect(matrixCell(deadLetter, pubsub, run)).to.include({ status: 'failed', detail: 'deadLettered: expected 1, observed 0' });
  });

  it('the gate gets a rate per cell that ran, named like matrix.pubsub.redis_streams.delivery', () => {
    const rows = matrixRows(
      [row('delivery')],
      [
        {
          column: { area: 'pubsub', choice: 'redis-streams', runDir: 'a' },
          run: { tests: [test(row('delivery').tests[0] as string, 'passed')], chaos: [] },
        },
        { column: { area: 'pubsub', choice: 'mqtt', runDir: 'b' }, run: { tests: [], chaos: [] } },
      ],
    );
    expect(matrixMetrics(rows)).to.deep.equal([
      { name: 'matrix.pubsub.redis_streams.delivery', kind: 'rate', tags: {}, rate: 1, passes: 1, fails: 0 },
    ]);
    expect(allMatrixMetricNames()).to.include('matrix.state.postgresql.transaction');
  });

  it('every test a row names exists, word for word, in the suites', () => {
    const sources = ['acceptance', 'chaos', 'matrix']
      .flatMap((area) => readdirSync(join(REPO_ROOT, 'suites', area)).map((f) => join(REPO_ROOT, 'suites', area, f)))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const r of MATRIX_ROWS) for (const title of r.tests) expect(sources, `${r.id}: "${title}"`).to.contain(title);
  });
});
