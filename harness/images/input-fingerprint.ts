import { createHash, type Hash } from 'node:crypto';
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageSpec } from './image-spec';

/**
 * A hash of everything an image is made from: the spec itself and, for every host path it copies, the path,
 * size, mode and modification time of each file under it (contents are not read: hashing a 500 MB image's
 * inputs on every run would cost more than the check saves). `toolId` ties the hash to the writer's version.
 */
export function imageInputFingerprint(spec: ImageSpec, toolId: string): string {
  const hash = createHash('sha256');
  hash.update(toolId).update('\0').update(JSON.stringify(spec)).update('\0');
  for (const layer of spec.layers) {
    for (const entry of layer.entries) {
      if (entry.source) hashSource(hash, entry.source);
    }
  }
  return hash.digest('hex');
}

function hashSource(hash: Hash, source: string): void {
  // A file named directly is followed through symlinks, as the writer copies it.
  const top = statSync(source, { bigint: true });
  hashStat(hash, source, top);
  if (!top.isDirectory()) return;
  const entries = readdirSync(source, { recursive: true, encoding: 'utf8' }).sort();
  for (const rel of entries) {
    const path = join(source, rel);
    const stat = lstatSync(path, { bigint: true });
    hashStat(hash, path, stat);
    if (stat.isSymbolicLink()) hash.update(readlinkSync(path)).update('\0');
  }
}

function hashStat(hash: Hash, path: string, stat: { size: bigint; mode: bigint; mtimeNs: bigint }): void {
  hash.update(`${path}\0${stat.size}\0${stat.mode}\0${stat.mtimeNs}\0`);
}
