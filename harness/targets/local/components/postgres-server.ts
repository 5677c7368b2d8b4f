import { execFileSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../../process/managed-process';
import { forAll } from '../../../process/wait/wait-for-all';
import { forLogMessage } from '../../../process/wait/wait-for-log';
import { forPort } from '../../../process/wait/wait-for-port';
import { runtimeError } from '../../../errors/harness-error';

export interface PostgresOptions {
  /** Folder with Debian's initdb and postgres (/usr/lib/postgresql/<version>/bin). */
  binDir: string;
  port: number;
  dataDir: string;
  logDir: string;
  /** postgres refuses to run as root: the unprivileged account it runs as, which owns its data dir. */
  user: { uid: number; gid: number };
  env: Record<string, string>;
}

/**
 * Our own PostgreSQL: a cluster initialized for this run (trust on loopback, superuser `postgres`), listening on
 * 127.0.0.1 and a socket in its own dir, run as an unprivileged user. Stopped with SIGINT (fast shutdown): the
 * default "smart" shutdown would wait for the sidecars' connections to close.
 */
export function postgresServer(opts: PostgresOptions): ManagedProcess {
  const socketDir = join(opts.dataDir, 'socket');
  const pgData = join(opts.dataDir, 'pgdata');
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    for (const dir of [opts.dataDir, socketDir, pgData]) {
      mkdirSync(dir, { recursive: true });
      chownSync(dir, opts.user.uid, opts.user.gid);
    }
    const fd = openSync(join(opts.logDir, 'postgres-initdb.log'), 'a');
    try {
      execFileSync(join(opts.binDir, 'initdb'), ['-D', pgData, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], {
        stdio: ['ignore', fd, fd],
        uid: opts.user.uid,
        gid: opts.user.gid,
        cwd: opts.dataDir,
        env: { ...process.env, ...opts.env },
      });
    } catch (err) {
      throw runtimeError('POSTGRES_INIT', `initdb failed for ${pgData}`, `see ${opts.logDir}/postgres-initdb.log`, err);
    } finally {
      closeSync(fd);
    }
  }
  return new ManagedProcess({
    name: 'postgres',
    command: join(opts.binDir, 'postgres'),
    args: ['-D', pgData, '-p', String(opts.port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1'],
    cwd: opts.dataDir,
    env: opts.env,
    user: opts.user,
    logFile: join(opts.logDir, 'postgres.log'),
    wait: forAll([forLogMessage(/database system is ready to accept connections/), forPort('127.0.0.1', opts.port)]),
    startTimeoutMs: 60_000,
    stopSignal: 'SIGINT',
    stopGraceMs: 30_000,
  });
}
