import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentProgress, type Progress } from '../console/progress';
import { runtimeError, usageError } from '../errors/harness-error';
import { cacheRoot } from '../paths';
import type { ImageArchive, ImageSpec } from './image-spec';
import { ensureImageWriter, imageWriterSourceHash } from './image-writer-tool';
import { imageInputFingerprint } from './input-fingerprint';

const run = promisify(execFile);
const NAME = /^[a-z0-9][a-z0-9-]*$/;

export function imagesCacheDir(): string {
  return join(cacheRoot(), 'images');
}

/**
 * Writes `spec` as a docker-archive tarball in the cache, or returns the one written before from the same
 * inputs. A new archive replaces the older ones of the same name.
 */
export async function writeImage(spec: ImageSpec, progress: Progress = silentProgress): Promise<ImageArchive> {
  if (!NAME.test(spec.name)) {
    throw usageError(
      'BAD_IMAGE_NAME',
      `image name ${JSON.stringify(spec.name)} is not lowercase letters, digits and dashes`,
      'rename it, e.g. "reference-apps"',
    );
  }
  if (spec.refs.length === 0)
    throw usageError('BAD_IMAGE_SPEC', `image ${spec.name} has no refs`, 'give at least one registry/repository:tag');
  const fingerprint = imageInputFingerprint(spec, imageWriterSourceHash()).slice(0, 16);
  const dir = imagesCacheDir();
  const archivePath = join(dir, `${spec.name}-${fingerprint}.tar`);
  if (existsSync(archivePath)) return { refs: [...spec.refs], archivePath };

  const tool = await ensureImageWriter(progress);
  mkdirSync(dir, { recursive: true });
  const specFile = join(dir, `.${spec.name}-${fingerprint}-${process.pid}.json`);
  writeFileSync(specFile, JSON.stringify({ output: archivePath, refs: spec.refs, layers: spec.layers, config: spec.config }));
  progress.update(`writing image ${spec.name} (${spec.refs.join(', ')})`);
  try {
    await run(tool, [specFile], { maxBuffer: 1 << 20 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw runtimeError(
      'IMAGE_WRITE_FAILED',
      `could not write image ${spec.name}: ${stderr}`,
      'check the paths the image copies exist and are readable',
      err,
    );
  } finally {
    rmSync(specFile, { force: true });
  }
  for (const old of readdirSync(dir)) {
    if (
      old.startsWith(`${spec.name}-`) &&
      old.endsWith('.tar') &&
      join(dir, old) !== archivePath &&
      /^[0-9a-f]{16}\.tar$/.test(old.slice(spec.name.length + 1))
    ) {
      rmSync(join(dir, old), { force: true });
    }
  }
  return { refs: [...spec.refs], archivePath };
}
