import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * A trivial HTTP server in a child process (so its CPU is never the measuring process's): answers "ok" at once,
 * or, with a stall, holds every request that arrives during the first `stallMs` of each `periodMs` (counted from
 * the server's start) until that stall ends.
 */
const SERVER_SOURCE = `
const http = require('node:http');
const stallMs = Number(process.env.STALL_MS || 0);
const periodMs = Number(process.env.PERIOD_MS || 0);
const t0 = Date.now();
const server = http.createServer((req, res) => {
  req.resume();
  const now = Date.now();
  const phase = periodMs > 0 ? (now - t0) % periodMs : Infinity;
  if (phase < stallMs) setTimeout(() => res.end('ok'), stallMs - phase);
  else res.end('ok');
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
`;

export interface BenchServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startBenchServer(stall?: { stallMs: number; periodMs: number }): Promise<BenchServer> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, STALL_MS: String(stall?.stallMs ?? 0), PERIOD_MS: String(stall?.periodMs ?? 0) },
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => setTimeout(() => reject(new Error('bench server did not start within 10 s')), 10_000)),
  ])) as [{ port: number }];
  return {
    url: `http://127.0.0.1:${message.port}`,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit').catch(() => undefined);
      child.kill();
      await exited;
    },
  };
}
