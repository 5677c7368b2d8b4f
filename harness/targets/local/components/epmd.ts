import { join } from 'node:path';
import { ManagedProcess } from '../../../process/managed-process';
import { forPort } from '../../../process/wait/wait-for-port';

export interface EpmdOptions {
  binary: string;
  port: number;
  logDir: string;
  env: Record<string, string>;
}

/**
 * Erlang's port mapper for our own RabbitMQ, on its own port in the foreground: left to itself, the Erlang VM
 * would start a daemonized epmd on the standard port (shared with the machine's RabbitMQ) that outlives the run.
 */
export function epmdServer(opts: EpmdOptions): ManagedProcess {
  return new ManagedProcess({
    name: 'epmd',
    command: opts.binary,
    args: ['-port', String(opts.port), '-address', '127.0.0.1'],
    env: opts.env,
    logFile: join(opts.logDir, 'epmd.log'),
    wait: forPort('127.0.0.1', opts.port),
    startTimeoutMs: 10_000,
  });
}
