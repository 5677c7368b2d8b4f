import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Progress } from '../console/progress';
import { runtimeError } from '../errors/harness-error';
import { cacheRoot } from '../paths';
import { requireCommand } from '../process/required-commands';
import type { ImageArchive } from './image-spec';
import { writeImage } from './write-image';

const run = promisify(execFile);

/** The sandbox image containerd's `sandbox_image` must name: there is no registry to pull Kubernetes' own from. */
export const PAUSE_IMAGE_REF = 'dapr-harness.local/pause:1.0';

export const PAUSE_SOURCE = resolve(import.meta.dirname, '../../runtime/images/pause/pause.c');

/** Compiles pause.c statically (so the image needs no libc) once per source version. */
export async function ensurePauseBinary(progress: Progress): Promise<string> {
  const source = readFileSync(PAUSE_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'pause', hash);
  const binary = join(dir, 'pause');
  if (existsSync(binary)) return binary;
  requireCommand('gcc', '`apt-get install gcc libc6-dev` (the pause binary is compiled statically)');
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  progress.update('compiling the pause binary');
  try {
    await run('gcc', ['-static', '-Os', '-s', '-Wall', '-o', join(staging, 'pause'), PAUSE_SOURCE]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (err) {
    throw runtimeError(
      'PAUSE_BUILD_FAILED',
      `gcc could not build ${PAUSE_SOURCE}: ${(err as { stderr?: string }).stderr ?? err}`,
      'install gcc and libc6-dev',
      err,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

export async function ensurePauseImage(progress: Progress): Promise<ImageArchive> {
  const binary = await ensurePauseBinary(progress);
  return writeImage(
    {
      name: 'pause',
      refs: [PAUSE_IMAGE_REF],
      layers: [{ entries: [{ target: '/pause', source: binary, mode: 0o755 }] }],
      config: { entrypoint: ['/pause'], user: '65535:65535' },
    },
    progress,
  );
}
