import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../../audit/audit-log';
import { ManagedProcess } from '../../process/managed-process';
import { forLogMessage } from '../../process/wait/wait-for-log';
import { sleep } from '../../process/wait/wait-strategy';
import { CRASH_EXIT_CODE } from '../../../system-under-test/lib/faults/fault-controls';
import type { ProcessDeath } from '../deployment';
import { CRASH_ON_REQUEST_EXIT_CODE, LocalDeathWatch } from './process-deaths';

/** A process that is ready at once and exits with `code` 300 ms later, on its own. */
function exiting(dir: string, name: string, code: number): ManagedProcess {
  return new ManagedProcess({
    name,
    command: 'sh',
    args: ['-c', `echo up; sleep 0.3; exit ${code}`],
    logFile: join(dir, `${name}.log`),
    wait: forLogMessage(/up/),
  });
}

async function until(what: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!what() && Date.now() < deadline) await sleep(20);
}

describe('LocalDeathWatch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'death-watch-'));

  it('reports an app that exits on its own, with its code, kind, app id and log', async () => {
    const watch = new LocalDeathWatch();
    const heard: ProcessDeath[] = [];
    watch.onDeath((d) => heard.push(d));
    const proc = exiting(dir, 'task-service', 3);
    watch.watch(proc, 'app', 'task-service');
    await proc.start();
    await until(() => heard.length > 0);
    expect(heard).to.have.length(1);
    expect(heard[0]).to.include({
      name: 'task-service',
      kind: 'app',
      appId: 'task-service',
      code: 3,
      signal: null,
      logFile: join(dir, 'task-service.log'),
    });
    expect(watch.deaths()).to.deep.equal(heard);
  });

  it("takes an app's requested crash (exit code 86, /faults/crash) for an injected fault: audited, not a death", async () => {
    expect(CRASH_ON_REQUEST_EXIT_CODE, "the reference apps' crash code").to.equal(CRASH_EXIT_CODE);
    const audit = new AuditLog(join(dir, 'audit.log'));
    const watch = new LocalDeathWatch(audit);
    const proc = exiting(dir, 'analytics-service', CRASH_ON_REQUEST_EXIT_CODE);
    watch.watch(proc, 'app', 'analytics-service');
    await proc.start();
    await until(() => !proc.running);
    await sleep(50);
    expect(watch.deaths()).to.deep.equal([]);
    expect(readFileSync(join(dir, 'audit.log'), 'utf8')).to.contain('"action":"app.crashed-on-request"');
  });

  it('ignores exits once the deployment is being stopped', async () => {
    const watch = new LocalDeathWatch();
    const proc = exiting(dir, 'redis', 1);
    watch.watch(proc, 'dependency');
    await proc.start();
    watch.close();
    await until(() => !proc.running);
    await sleep(50);
    expect(watch.deaths()).to.deep.equal([]);
  });
});
