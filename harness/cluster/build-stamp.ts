import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * A build's receipt, written after its last file is in place: the version built and, per file, its sha256 with
 * the size and mtime it had. A group whose files do not match it (an interrupted build, a file truncated or
 * replaced since) is built again.
 */
interface BuildStamp {
  version: string;
  files: Record<string, FileStamp>;
}

interface FileStamp {
  sha256: string;
  size: number;
  mtimeMs: number;
}

function fileStamp(path: string): FileStamp {
  const st = statSync(path);
  return { sha256: contentHash(path), size: st.size, mtimeMs: st.mtimeMs };
}

/**
 * A file whose size and mtime are those stamped is the file stamped (what truncates or replaces it changes them),
 * so the hash, seconds for a few hundred MB, is only computed when they differ.
 */
function matches(path: string, stamped: FileStamp | undefined): boolean {
  if (!stamped) return false;
  const st = statSync(path);
  if (st.size === stamped.size && st.mtimeMs === stamped.mtimeMs) return true;
  return st.size === stamped.size && contentHash(path) === stamped.sha256;
}

function stampPath(dir: string, group: string): string {
  return join(dir, `.${group}.stamp.json`);
}

/** sha256 of a file, or of a dir's files in name order (kwok's CRDs). */
export function contentHash(path: string): string {
  const hash = createHash('sha256');
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      hash.update(name);
      hash.update(readFileSync(join(path, name)));
    }
  } else hash.update(readFileSync(path));
  return hash.digest('hex');
}

export function writeStamp(dir: string, group: string, version: string, files: string[]): void {
  const stamp: BuildStamp = { version, files: Object.fromEntries(files.map((f) => [basename(f), fileStamp(f)])) };
  writeFileSync(stampPath(dir, group), `${JSON.stringify(stamp, null, 2)}\n`);
}

/**
 * True when every file of the group is there and matches its stamp. Files from before stamps existed were moved
 * into place whole from a staging dir, so a complete set of them without a stamp is adopted: stamped now.
 */
export function stampedComplete(dir: string, group: string, version: string, files: string[]): boolean {
  if (!files.every((f) => existsSync(f))) return false;
  const path = stampPath(dir, group);
  if (!existsSync(path)) {
    writeStamp(dir, group, version, files);
    return true;
  }
  let stamp: BuildStamp;
  try {
    stamp = JSON.parse(readFileSync(path, 'utf8')) as BuildStamp;
  } catch {
    return false;
  }
  return stamp.version === version && files.every((f) => matches(f, stamp.files[basename(f)]));
}
