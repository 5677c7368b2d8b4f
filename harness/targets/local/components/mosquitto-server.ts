import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../../process/managed-process';
import { forPort } from '../../../process/wait/wait-for-port';

export interface MosquittoOptions {
  binary: string;
  port: number;
  dataDir: string;
  logDir: string;
  env: Record<string, string>;
}

/**
 * Our own mosquitto from a config file in the run dir. Persistence is on, so the sessions and QoS 1 messages of
 * subscribers that keep their session (cleanSession: false) survive a restart, as an operator would run it.
 */
export function mosquittoServer(opts: MosquittoOptions): ManagedProcess {
  mkdirSync(opts.dataDir, { recursive: true });
  const configFile = join(opts.dataDir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      '# written by dapr-harness for one run',
      `listener ${opts.port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${opts.dataDir}/`,
      'log_dest stdout',
      // Started as root, mosquitto would switch to its own user, which cannot write the run dir.
      'user root',
      '',
    ].join('\n'),
  );
  return new ManagedProcess({
    name: 'mosquitto',
    command: opts.binary,
    args: ['-c', configFile],
    env: opts.env,
    logFile: join(opts.logDir, 'mosquitto.log'),
    wait: forPort('127.0.0.1', opts.port),
    startTimeoutMs: 20_000,
  });
}
