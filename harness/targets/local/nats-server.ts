import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';
import { ManagedProcess } from '../../process/managed-process';
import { forHttp } from '../../process/wait/wait-for-http';
import { runtimeError } from '../../errors/harness-error';

export interface NatsOptions {
  binary: string;
  port: number;
  monitorPort: number;
  storeDir: string;
  logDir: string;
  env: Record<string, string>;
}

/** Our own nats-server with JetStream on, file storage in the run dir, so a restart keeps the streams. */
export function natsServer(opts: NatsOptions): ManagedProcess {
  mkdirSync(opts.storeDir, { recursive: true });
  return new ManagedProcess({
    name: 'nats',
    command: opts.binary,
    args: ['-a', '127.0.0.1', '-p', String(opts.port), '-m', String(opts.monitorPort), '-js', '-sd', opts.storeDir, '-n', 'dapr-harness'],
    env: opts.env,
    logFile: join(opts.logDir, 'nats.log'),
    wait: forHttp(`http://127.0.0.1:${opts.monitorPort}/healthz?js-enabled-only=true`),
    startTimeoutMs: 20_000,
  });
}

export interface StreamSpec {
  name: string;
  subjects: string[];
}

/**
 * Dapr's JetStream component binds to an existing stream; it does not create one. The harness creates the
 * streams the components declare before any sidecar subscribes.
 */
export async function ensureStreams(url: string, streams: StreamSpec[]): Promise<void> {
  if (streams.length === 0) return;
  const nc = await connect({ servers: url, timeout: 5000 });
  try {
    const jsm = await nc.jetstreamManager();
    for (const s of streams) {
      try {
        await jsm.streams.info(s.name);
        await jsm.streams.update(s.name, { subjects: s.subjects });
      } catch {
        await jsm.streams.add({ name: s.name, subjects: s.subjects });
      }
    }
  } catch (err) {
    throw runtimeError(
      'JETSTREAM_STREAM',
      `could not create JetStream streams at ${url}: ${(err as Error).message}`,
      'check the nats log in the run dir',
      err,
    );
  } finally {
    await nc.close();
  }
}
