import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../../process/managed-process';
import { forAll } from '../../../process/wait/wait-for-all';
import { forLogMessage } from '../../../process/wait/wait-for-log';
import { forPort } from '../../../process/wait/wait-for-port';
import { runtimeError } from '../../../errors/harness-error';

export interface MariaDbOptions {
  binary: string;
  installDb: string;
  port: number;
  dataDir: string;
  logDir: string;
  env: Record<string, string>;
}

/**
 * Our own MariaDB (the Debian server for Dapr's state.mysql): a data dir initialized for this run with a root
 * account that logs in over TCP without a password, bound to loopback; `--no-defaults` keeps /etc/mysql out.
 */
export function mariaDbServer(opts: MariaDbOptions): ManagedProcess {
  const logFile = join(opts.logDir, 'mariadb.log');
  if (!existsSync(join(opts.dataDir, 'mysql'))) {
    mkdirSync(opts.dataDir, { recursive: true });
    const fd = openSync(join(opts.logDir, 'mariadb-install-db.log'), 'a');
    try {
      execFileSync(
        opts.installDb,
        ['--no-defaults', `--datadir=${opts.dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
        { stdio: ['ignore', fd, fd], env: { ...process.env, ...opts.env } },
      );
    } catch (err) {
      throw runtimeError('MARIADB_INIT', `mariadb-install-db failed for ${opts.dataDir}`, `see ${opts.logDir}/mariadb-install-db.log`, err);
    } finally {
      closeSync(fd);
    }
  }
  return new ManagedProcess({
    name: 'mariadb',
    command: opts.binary,
    args: [
      '--no-defaults',
      `--datadir=${opts.dataDir}`,
      `--port=${opts.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(opts.dataDir, 'mariadb.sock')}`,
      `--pid-file=${join(opts.dataDir, 'mariadb.pid')}`,
      '--user=root',
      '--skip-name-resolve',
      '--skip-log-bin',
    ],
    env: opts.env,
    logFile,
    wait: forAll([forLogMessage(/ready for connections/), forPort('127.0.0.1', opts.port)]),
    startTimeoutMs: 60_000,
    stopGraceMs: 30_000,
  });
}
