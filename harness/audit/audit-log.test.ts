import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from './audit-log';
import { clearSecrets, registerSecret } from '../secrets/redaction';

describe('AuditLog', () => {
  afterEach(clearSecrets);

  it('writes one JSON line per action with time, actor, action, target and outcome, secrets redacted', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
    const log = new AuditLog(file, 'tester');
    registerSecret('token-abcdef-123');
    log.record('fault.inject', 'task-service', 'ok', 'header token-abcdef-123');
    await log.around('dependency.stop', 'redis', async () => undefined);
    await log
      .around('dependency.start', 'nats', async () => {
        throw new Error('port in use');
      })
      .catch(() => undefined);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.map((l) => [l.action, l.target, l.outcome])).to.deep.equal([
      ['fault.inject', 'task-service', 'ok'],
      ['dependency.stop', 'redis', 'ok'],
      ['dependency.start', 'nats', 'failed'],
    ]);
    expect(lines[0]?.actor).to.equal('tester');
    expect(lines[0]?.detail).to.equal('header [REDACTED]');
    expect(lines[2]?.detail).to.contain('port in use');
    expect(Date.parse(lines[0]?.time ?? '')).to.be.greaterThan(0);
    expect(readFileSync(file, 'utf8')).not.to.contain('token-abcdef-123');
  });
});
