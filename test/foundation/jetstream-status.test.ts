import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '../../harness/process/managed-process';
import { forHttp } from '../../harness/process/wait/wait-for-http';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { requireServerBinaries } from '../../harness/process/required-commands';
import { ensureStreams } from '../../harness/targets/local/nats-server';
import { jetStreamStatus } from '../../suites/support/jetstream';

/** A real nats-server, with or without JetStream: what the platform story's JetStream check tells apart. */
async function natsServer(jetStream: boolean): Promise<{ url: string; proc: ManagedProcess }> {
  const ports = new PortAllocator();
  const port = await ports.next();
  const monitor = await ports.next();
  const dir = mkdtempSync(join(tmpdir(), 'jetstream-check-'));
  const proc = new ManagedProcess({
    name: `nats-${jetStream ? 'js' : 'plain'}`,
    command: requireServerBinaries().nats,
    args: ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), ...(jetStream ? ['-js', '-sd', join(dir, 'store')] : [])],
    logFile: join(dir, 'nats.log'),
    wait: forHttp(`http://127.0.0.1:${monitor}/healthz`),
    startTimeoutMs: 20_000,
  });
  await proc.start();
  return { url: `nats://127.0.0.1:${port}`, proc };
}

describe('jetStreamStatus (against real nats-server)', function () {
  this.timeout(30_000);

  it('reports a NATS server without JetStream as such (negative)', async () => {
    const { url, proc } = await natsServer(false);
    try {
      const status = await jetStreamStatus(url, ['tasks']);
      expect(status.enabled).to.equal(false);
      expect(status.missing).to.deep.equal(['tasks']);
    } finally {
      await proc.stop();
    }
  });

  it('lists the streams of a JetStream server and which expected ones it lacks', async () => {
    const { url, proc } = await natsServer(true);
    try {
      await ensureStreams(url, [{ name: 'tasks', subjects: ['task.created'] }]);
      const status = await jetStreamStatus(url, ['tasks', 'deadletters']);
      expect(status).to.deep.equal({ enabled: true, streams: ['tasks'], missing: ['deadletters'] });
    } finally {
      await proc.stop();
    }
  });
});
