import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../errors/harness-error';
import { cacheRoot } from '../paths';

/** The natscli release inside natsio/nats-box:0.19.7, the image the stream Job runs. */
export const NATSCLI_VERSION = 'v0.4.0';

const BUILD_TIMEOUT_MS = 600_000;

/**
 * The `nats` command the stream Job's script calls, built once into the harness cache (NATS_CLI overrides), so
 * the script can run here against a real nats-server exactly as the Job runs it in the cluster.
 */
export function natsCli(go = process.env.GO ?? 'go'): string {
  if (process.env.NATS_CLI) return process.env.NATS_CLI;
  const dir = join(cacheRoot(), `natscli-${NATSCLI_VERSION}`);
  const bin = join(dir, 'nats');
  if (existsSync(bin)) return bin;
  const module = `github.com/nats-io/natscli/nats@${NATSCLI_VERSION}`;
  try {
    execFileSync(go, ['install', module], {
      cwd: tmpdir(),
      env: { ...process.env, GOBIN: dir },
      timeout: BUILD_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    const detail = e.code === 'ENOENT' ? `\`${go}\` not found` : (e.stderr?.toString() ?? e.message).trim().split('\n').pop();
    throw usageError(
      'NATSCLI_MISSING',
      `cannot build the nats CLI (${module}) the stream Job uses: ${detail}`,
      `run \`GOBIN=${dir} go install ${module}\`, or set NATS_CLI to a nats binary`,
    );
  }
  return bin;
}
