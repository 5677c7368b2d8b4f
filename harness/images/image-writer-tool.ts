import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Progress } from '../console/progress';
import { cacheRoot } from '../paths';
import { requireCommand } from '../process/required-commands';
import { runGo } from '../runtime/go-build';

export const IMAGE_WRITER_MODULE_DIR = resolve(import.meta.dirname, '../../runtime/images');

/** Hash of the tool's own sources: a change to them builds a new tool and so writes every image anew. */
export function imageWriterSourceHash(): string {
  const hash = createHash('sha256');
  const files = readdirSync(IMAGE_WRITER_MODULE_DIR)
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(IMAGE_WRITER_MODULE_DIR, file)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

export function imageWriterPath(sourceHash = imageWriterSourceHash()): string {
  return join(cacheRoot(), 'tools', `image-writer-${sourceHash}`, 'image-writer');
}

/** Builds the image writer once per source version; built into a staging dir and renamed, so a partial build never counts. */
export async function ensureImageWriter(progress: Progress): Promise<string> {
  const binary = imageWriterPath();
  if (existsSync(binary)) return binary;
  requireCommand('go', 'install Go (https://go.dev/dl) or `apt-get install golang`');
  const dir = join(binary, '..');
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await runGo(['build', '-v', '-trimpath', '-o', join(staging, 'image-writer'), '.'], {
      cwd: IMAGE_WRITER_MODULE_DIR,
      progress,
      what: 'the image writer build',
    });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
