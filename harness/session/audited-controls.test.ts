import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../audit/audit-log';
import type { Deployment, DependencyControl } from '../targets/deployment';
import { auditControls } from './audited-controls';

describe('auditControls', () => {
  it("records every stop and start of any target's controls, failures included, and keeps running live", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audited-')), 'audit.log');
    let running = true;
    const nats: DependencyControl = {
      name: 'nats',
      kind: 'statefulset',
      address: 'nats.dapr-harness:4222',
      get running() {
        return running;
      },
      stop: async () => {
        running = false;
      },
      start: async () => {
        throw new Error('no capacity');
      },
    };
    const d = { dependencies: [nats], processControls: [] } as unknown as Deployment;
    auditControls(d, new AuditLog(file));
    const control = d.dependencies[0] as DependencyControl;
    await control.stop();
    expect(control.running).to.equal(false);
    await control.start().catch(() => undefined);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; target: string; outcome: string });
    expect(lines.map((l) => [l.action, l.target, l.outcome])).to.deep.equal([
      ['statefulset.stop', 'nats', 'ok'],
      ['statefulset.start', 'nats', 'failed'],
    ]);
  });
});
