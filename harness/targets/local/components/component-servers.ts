import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../../../errors/harness-error';
import type { ManagedProcess } from '../../../process/managed-process';
import { commandPath } from '../../../process/required-commands';
import type { PortAllocator } from '../free-port';
import { epmdServer } from './epmd';
import { mariaDbServer } from './mariadb-server';
import { mosquittoServer } from './mosquitto-server';
import { postgresServer } from './postgres-server';
import { rabbitMqServer } from './rabbitmq-server';

/**
 * The servers behind the alternative components (RabbitMQ, mosquitto, PostgreSQL, MariaDB): which Debian package
 * brings each, where its binaries are, how to start our own copy and what the component's metadata must say to
 * reach it. Redis and NATS, the defaults, are started by the local target itself.
 */
interface ServerKind {
  /** The dependency's kind, as chaos probes and deployment.json name it. */
  kind: string;
  debianPackage: string;
  /** The binaries, or the name of the first one missing. */
  locate(lookup: (name: string) => string | undefined): Record<string, string> | string;
}

const POSTGRES_ROOT = '/usr/lib/postgresql';
const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

const SERVER_KINDS: Record<string, ServerKind> = {
  'pubsub.rabbitmq': {
    kind: 'rabbitmq',
    debianPackage: 'rabbitmq-server',
    // Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user and the machine's node; the script behind it
    // runs a node from the environment alone.
    locate: (lookup) => {
      if (!lookup('rabbitmq-server') || !existsSync(RABBITMQ_SERVER)) return 'rabbitmq-server';
      const epmd = lookup('epmd');
      return epmd ? { server: RABBITMQ_SERVER, epmd } : 'epmd';
    },
  },
  'pubsub.mqtt3': {
    kind: 'mosquitto',
    debianPackage: 'mosquitto',
    locate: (lookup) => {
      const server = lookup('mosquitto');
      return server ? { server } : 'mosquitto';
    },
  },
  'state.postgresql': {
    kind: 'postgresql',
    debianPackage: 'postgresql',
    locate: () => {
      const versions = existsSync(POSTGRES_ROOT)
        ? readdirSync(POSTGRES_ROOT)
            .filter((v) => existsSync(join(POSTGRES_ROOT, v, 'bin', 'postgres')))
            .sort((a, b) => Number(b) - Number(a))
        : [];
      return versions[0] ? { binDir: join(POSTGRES_ROOT, versions[0], 'bin') } : 'postgres';
    },
  },
  'state.mysql': {
    kind: 'mysql',
    debianPackage: 'mariadb-server',
    locate: (lookup) => {
      const server = lookup('mariadbd');
      const installDb = lookup('mariadb-install-db');
      return server && installDb ? { server, installDb } : server ? 'mariadb-install-db' : 'mariadbd';
    },
  },
};

export interface ServerBinaries {
  type: string;
  binaries: Record<string, string>;
}

/**
 * The binaries of every server the components need, checked before anything starts: a missing one is a usage
 * error (exit 2) naming the Debian package that brings it.
 */
export function requireComponentServers(
  types: Iterable<string>,
  lookup: (name: string) => string | undefined = commandPath,
): ServerBinaries[] {
  const out: ServerBinaries[] = [];
  for (const type of new Set(types)) {
    const server = SERVER_KINDS[type];
    if (!server) continue;
    const located = server.locate(lookup);
    if (typeof located === 'string') {
      throw usageError(
        'MISSING_COMMAND',
        `\`${located}\` is not installed (${type} needs our own ${server.kind} server)`,
        `\`npm run setup\` (as root) or \`apt-get install ${server.debianPackage}\``,
      );
    }
    out.push({ type, binaries: located });
  }
  return out;
}

/** The Debian packages of the alternative components' servers that are not installed (`npm run setup` installs them). */
export function missingServerPackages(lookup: (name: string) => string | undefined = commandPath): string[] {
  return Object.values(SERVER_KINDS)
    .filter((s) => typeof s.locate(lookup) === 'string')
    .map((s) => s.debianPackage);
}

export interface ComponentServer {
  type: string;
  kind: string;
  /** Started first, stopped last (RabbitMQ's epmd); not part of an outage. */
  helpers: ManagedProcess[];
  /** The server a chaos probe stops and starts. */
  server: ManagedProcess;
  address: string;
  /** What the component's metadata must say to reach it. */
  metadata: Record<string, string>;
  /** Removes what the server left outside the run dir (its data dir in /tmp); after it has stopped. */
  cleanup(): void;
}

export interface PlanContext {
  ports: PortAllocator;
  /** Data under the run dir (servers that run as the harness's user). */
  dataDir: string;
  logDir: string;
  env: Record<string, string>;
}

/** Plans (does not start) our own server for one component type. */
export async function planComponentServer(found: ServerBinaries, ctx: PlanContext): Promise<ComponentServer> {
  const kind = (SERVER_KINDS[found.type] as ServerKind).kind;
  const b = found.binaries;
  const port = await ctx.ports.next();
  const address = `127.0.0.1:${port}`;
  const dataDir = join(ctx.dataDir, kind);
  const common = { type: found.type, kind, address, cleanup: () => undefined };
  switch (found.type) {
    case 'pubsub.rabbitmq': {
      const epmdPort = await ctx.ports.next();
      return {
        ...common,
        helpers: [epmdServer({ binary: b.epmd as string, port: epmdPort, logDir: ctx.logDir, env: ctx.env })],
        server: rabbitMqServer({
          binary: b.server as string,
          port,
          distPort: await ctx.ports.next(),
          epmdPort,
          dataDir,
          logDir: ctx.logDir,
          env: ctx.env,
        }),
        // RabbitMQ's built-in guest account, which it accepts from loopback only.
        metadata: { connectionString: `amqp://guest:guest@${address}` },
      };
    }
    case 'pubsub.mqtt3':
      return {
        ...common,
        helpers: [],
        server: mosquittoServer({ binary: b.server as string, port, dataDir, logDir: ctx.logDir, env: ctx.env }),
        metadata: { url: `tcp://${address}` },
      };
    case 'state.postgresql': {
      // postgres refuses to run as root; its data dir must be reachable by its user, which a private run root
      // (mode 0700) is not, so it lives in a folder of its own that the teardown removes.
      const user = process.getuid?.() === 0 ? postgresUser() : undefined;
      const pgDir = mkdtempSync(join(tmpdir(), 'dapr-harness-postgres-'));
      return {
        ...common,
        helpers: [],
        server: postgresServer({
          binDir: b.binDir as string,
          port,
          dataDir: pgDir,
          logDir: ctx.logDir,
          user: user ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
          env: ctx.env,
        }),
        metadata: { connectionString: `host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=disable` },
        cleanup: () => rmSync(pgDir, { recursive: true, force: true }),
      };
    }
    case 'state.mysql':
      return {
        ...common,
        helpers: [],
        server: mariaDbServer({
          binary: b.server as string,
          installDb: b.installDb as string,
          port,
          dataDir,
          logDir: ctx.logDir,
          env: ctx.env,
        }),
        metadata: { connectionString: `root:@tcp(${address})/?allowNativePasswords=true` },
        // The InnoDB files are ~100 MB per run: not worth keeping once the server has stopped.
        cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
      };
    default:
      throw new Error(`no server known for ${found.type}`);
  }
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw usageError(
      'POSTGRES_USER',
      'postgres refuses to run as root, and there is no `postgres` user to run it as',
      '`apt-get install postgresql` creates it (or run the harness as an unprivileged user)',
    );
  }
}
