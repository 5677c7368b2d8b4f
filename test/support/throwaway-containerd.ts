import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManagedProcess } from '../../harness/process/managed-process';
import { forLogMessage } from '../../harness/process/wait/wait-for-log';

const run = promisify(execFile);

export interface ThrowawayContainerd {
  address: string;
  dir: string;
  /** `ctr` against this containerd in `namespace`; resolves with stdout. */
  ctr(namespace: string, ...args: string[]): Promise<string>;
  /** Stops containerd, unmounts whatever it left mounted under its dir and removes the dir. */
  stop(): Promise<void>;
}

/**
 * A containerd of the test's own: socket, root, state and opt dirs in a temp dir, the CRI plugin off (only the
 * image store, snapshotter and runc are exercised), nothing shared with any other containerd on the machine.
 */
export async function startThrowawayContainerd(): Promise<ThrowawayContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'dapr-harness-containerd-'));
  const address = join(dir, 'containerd.sock');
  writeFileSync(
    join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${address}"`,
      '[ttrpc]',
      `  address = "${address}.ttrpc"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${dir}/opt"`,
      '',
    ].join('\n'),
  );
  const daemon = new ManagedProcess({
    name: 'containerd',
    command: 'containerd',
    args: ['--config', join(dir, 'config.toml')],
    logFile: join(dir, 'containerd.log'),
    wait: forLogMessage(/containerd successfully booted/),
    startTimeoutMs: 30_000,
  });
  const stop = async (): Promise<void> => {
    await daemon.stop();
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((mountPoint) => mountPoint.startsWith(dir + '/'))
      .reverse();
    for (const mountPoint of mounts) await run('umount', ['-l', mountPoint]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await daemon.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    dir,
    ctr: async (namespace, ...args) =>
      (await run('ctr', ['--address', address, '--namespace', namespace, ...args], { maxBuffer: 16 << 20 })).stdout,
    stop,
  };
}
