import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const SERVICES = join(import.meta.dirname, '..', 'services');

interface Running {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** Starts a service's real main.ts the way dapr.yaml does, on a free port, and waits for its `listening` line. */
async function start(service: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: join(SERVICES, service),
    env: { ...process.env, APP_ID: service, APP_PORT: '0', INSTANCE: 'lifecycle-test', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service} did not log "listening" within 20s`)), 20_000);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (parsed.msg === 'listening') {
          clearTimeout(timer);
          resolve(parsed.port as number);
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`${service} exited with ${code} before listening`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, lines, exited };
}

function withinSeconds<T>(p: Promise<T>, seconds: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${seconds}s`)), seconds * 1000)),
  ]);
}

describe('a service process (main.ts)', function () {
  this.timeout(60_000);
  const started: ChildProcess[] = [];

  after(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('listens on loopback, logs JSON lines, and exits 0 on SIGTERM', async () => {
    const svc = await start('analytics-service');
    started.push(svc.child);
    const health = await fetch(`${svc.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(await health.json()).to.deep.equal({ status: 'ok', app: 'analytics-service', instance: 'lifecycle-test' });
    expect(svc.lines[0]).to.include({ level: 'info', app: 'analytics-service', msg: 'listening', instance: 'lifecycle-test' });
    expect(svc.lines[0]?.time).to.be.a('string');
    svc.child.kill('SIGTERM');
    expect(await withinSeconds(svc.exited, 10, 'shutdown')).to.equal(0);
    expect(svc.lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM')).to.equal(true);
  });

  it('POST /faults/crash answers 202 and the process exits with the crash code 86 (negative)', async () => {
    const svc = await start('sample-app');
    started.push(svc.child);
    const res = await fetch(`${svc.url}/faults/crash`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    expect(res.status).to.equal(202);
    expect(await withinSeconds(svc.exited, 10, 'crash')).to.equal(86);
  });
});
