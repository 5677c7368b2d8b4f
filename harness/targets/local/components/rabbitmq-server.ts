import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../../../process/managed-process';
import { forAll } from '../../../process/wait/wait-for-all';
import { forLogMessage } from '../../../process/wait/wait-for-log';
import { forPort } from '../../../process/wait/wait-for-port';

export interface RabbitMqOptions {
  binary: string;
  port: number;
  distPort: number;
  epmdPort: number;
  dataDir: string;
  logDir: string;
  env: Record<string, string>;
}

/**
 * Our own RabbitMQ node: its own node name, ports, Mnesia dir, Erlang cookie (HOME) and epmd. Debian's
 * rabbitmq-env.conf and plugin list are replaced by ours, so nothing of the machine's node applies. Queues and
 * persistent messages live in the data dir, so a restart keeps them.
 */
export function rabbitMqServer(opts: RabbitMqOptions): ManagedProcess {
  mkdirSync(opts.dataDir, { recursive: true });
  const file = (name: string, text: string): string => {
    const path = join(opts.dataDir, name);
    writeFileSync(path, text);
    return path;
  };
  const env = {
    ...opts.env,
    HOME: opts.dataDir,
    ERL_EPMD_PORT: String(opts.epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_NODENAME: `dapr-harness-${opts.port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(opts.port),
    RABBITMQ_DIST_PORT: String(opts.distPort),
    RABBITMQ_MNESIA_BASE: join(opts.dataDir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(opts.dataDir, 'log'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_PID_FILE: join(opts.dataDir, 'rabbitmq.pid'),
    RABBITMQ_CONF_ENV_FILE: file('rabbitmq-env.conf', '# written by dapr-harness: none of the machine settings apply\n'),
    RABBITMQ_CONFIG_FILE: file('rabbitmq.conf', `listeners.tcp.default = 127.0.0.1:${opts.port}\n`),
    RABBITMQ_ENABLED_PLUGINS_FILE: file('enabled_plugins', '[].\n'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  return new ManagedProcess({
    name: 'rabbitmq',
    command: opts.binary,
    args: [],
    env,
    logFile: join(opts.logDir, 'rabbitmq.log'),
    wait: forAll([forLogMessage(/Server startup complete/), forPort('127.0.0.1', opts.port)]),
    // The Erlang VM boots slowly on a loaded 2-core machine (20 s seen).
    startTimeoutMs: 120_000,
    stopGraceMs: 30_000,
  });
}
