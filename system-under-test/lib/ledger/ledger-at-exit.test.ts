import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DeliveryLedger } from './delivery-ledger';
import { LEDGER_AT_EXIT, ledgerAtExit } from './ledger-at-exit';

const delivery = (eventId: string) => ({ eventId, cloudEventId: null, publishedAt: null, cloudEvent: {}, raw: true });

describe('the ledger at exit', () => {
  it('lists every processed delivery as topic/eventId with the counts, bounded', () => {
    const ledger = new DeliveryLedger();
    ledger.accept(delivery('a'), 'task.created');
    ledger.accept(delivery('b'), 'task.created');
    ledger.accept(delivery('a'), 'task.created');
    const all = ledgerAtExit(ledger);
    expect(all).to.deep.include({ total: 3, unique: 2, duplicates: 1 });
    expect(all.events).to.have.members(['task.created/a', 'task.created/b', 'task.created/a']);
    expect(ledgerAtExit(ledger, 1).events).to.have.length(1);
  });

  it('is written to stdout when the process exits, after whatever it was doing', () => {
    const script = [
      `const { DeliveryLedger } = require(${JSON.stringify(join(__dirname, 'delivery-ledger.ts'))});`,
      `const { logLedgerAtExit } = require(${JSON.stringify(join(__dirname, 'ledger-at-exit.ts'))});`,
      'const ledger = new DeliveryLedger();',
      'logLedgerAtExit(ledger);',
      "ledger.accept({ eventId: 'e1', cloudEventId: null, publishedAt: null, cloudEvent: {}, raw: true }, 'task.created');",
      'process.exit(0);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    expect(r.status, r.stderr).to.equal(0);
    const line = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; events?: string[] })
      .find((l) => l.msg === LEDGER_AT_EXIT);
    expect(line?.events).to.deep.equal(['task.created/e1']);
  });
});
