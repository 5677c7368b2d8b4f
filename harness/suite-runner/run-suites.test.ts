import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSuites } from './run-suites';

const CONTEXT = JSON.stringify(join(import.meta.dirname, 'suite-context.ts'));

describe('runSuites', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'run-suites-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function suite(area: string, name: string, body: string): string {
    const folder = join(dir, area);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const file = join(folder, name);
    writeFileSync(file, `import { skipBecause } from ${CONTEXT};\nvoid skipBecause;\n${body}\n`);
    return file;
  }

  it('records every test a failed setup hook guarded as failed with the hook error, instead of losing them', async () => {
    const file = suite(
      'acceptance',
      'us2.suite.ts',
      `describe('US2 pub/sub', () => {
         before(() => { throw new Error('subscriber notification-service is not running'); });
         it('delivers', () => {});
         describe('nested', () => { it('redelivers', () => {}); });
       });
       describe('US1', () => { it('invokes', () => {}); });`,
    );
    const { tests } = await runSuites({ files: [file] });
    expect(tests.map((t) => [t.title, t.status, t.area])).to.deep.equal([
      ['delivers', 'failed', 'acceptance'],
      ['redelivers', 'failed', 'acceptance'],
      ['invokes', 'passed', 'acceptance'],
    ]);
    expect(tests[0]?.failure?.message).to.equal('setup failed ("before all" hook): subscriber notification-service is not running');
  });

  it('keeps the reason of a skip, from the test or from a before hook, and flags a skip without one', async () => {
    const file = suite(
      'chaos',
      'x.suite.ts',
      `describe('outages', () => {
         before(function (this: Mocha.Context) { skipBecause(this, 'not-observable', 'this target cannot stop redis'); });
         it('redis outage', () => {});
       });
       describe('misc', () => {
         it('own reason', function (this: Mocha.Context) { skipBecause(this, 'deselected', 'asked to leave it out'); });
         it('bare skip', function (this: Mocha.Context) { this.skip(); });
       });`,
    );
    const { tests } = await runSuites({ files: [file] });
    expect(tests.map((t) => [t.title, t.status, t.skip?.kind, t.skip?.reason.slice(0, 30)])).to.deep.equal([
      ['redis outage', 'skipped', 'not-observable', 'this target cannot stop redis'],
      ['own reason', 'skipped', 'deselected', 'asked to leave it out'],
      ['bare skip', 'skipped', 'unexplained', 'skipped without a recorded rea'],
    ]);
  });
});
