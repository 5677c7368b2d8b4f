import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../process/managed-process';
import { forAll } from '../../process/wait/wait-for-all';
import { forLogMessage } from '../../process/wait/wait-for-log';
import { forPort } from '../../process/wait/wait-for-port';

export interface RedisOptions {
  binary: string;
  port: number;
  dataDir: string;
  logDir: string;
  env: Record<string, string>;
}

/** Our own redis-server on a loopback port with its own data dir; nothing persisted, so a restart starts empty. */
export function redisServer(opts: RedisOptions): ManagedProcess {
  mkdirSync(opts.dataDir, { recursive: true });
  // redis-server rewrites its command line and environment for its process title. Starting it from a config
  // file in the run dir and showing that file in the title keeps the run findable in `ps` and /proc.
  const configFile = join(opts.dataDir, 'redis.conf');
  writeFileSync(configFile, '# written by dapr-harness for one run\n');
  return new ManagedProcess({
    name: 'redis',
    command: opts.binary,
    args: [
      configFile,
      '--bind',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--dir',
      opts.dataDir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
      '--proc-title-template',
      '{title} {listen-addr} {config-file}',
    ],
    env: opts.env,
    logFile: join(opts.logDir, 'redis.log'),
    wait: forAll([forLogMessage(/Ready to accept connections/), forPort('127.0.0.1', opts.port)]),
    startTimeoutMs: 20_000,
  });
}
