import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runtimeError } from '../errors/harness-error';
import type { ImageArchive } from './image-spec';

const run = promisify(execFile);

export interface ImportOptions {
  ctrPath: string;
  /** containerd's socket. */
  containerdAddress: string;
  /** `k8s.io` (the CRI's namespace, what the kubelet sees) unless told otherwise. */
  namespace?: string;
}

/**
 * Imports each archive with `ctr images import` (unpacked for the default snapshotter, as the CRI needs them) and
 * checks afterwards that containerd lists every name the archive carries.
 */
export async function importImageArchives(archives: ImageArchive[], opts: ImportOptions): Promise<void> {
  const base = ['--address', opts.containerdAddress, '--namespace', opts.namespace ?? 'k8s.io'];
  for (const archive of archives) {
    try {
      await run(opts.ctrPath, [...base, 'images', 'import', archive.archivePath], { maxBuffer: 16 << 20 });
    } catch (err) {
      const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
      throw runtimeError(
        'IMAGE_IMPORT_FAILED',
        `ctr could not import ${archive.archivePath}: ${detail}`,
        `is containerd listening on ${opts.containerdAddress}?`,
        err,
      );
    }
  }
  const { stdout } = await run(opts.ctrPath, [...base, 'images', 'list', '--quiet'], { maxBuffer: 16 << 20 });
  const listed = new Set(stdout.split('\n').map((l) => l.trim()));
  const missing = archives.flatMap((a) => a.refs).filter((ref) => !listed.has(normalizeImageRef(ref)));
  if (missing.length > 0) {
    throw runtimeError(
      'IMAGE_IMPORT_FAILED',
      `containerd does not list ${missing.join(', ')} after the import`,
      'check the archive names them (ctr images import prints what it unpacked)',
    );
  }
}

/**
 * The name containerd and the kubelet use for a reference: Docker Hub's domain and `library/` filled in, as
 * Docker's reference normalization does (`redis:7` is `docker.io/library/redis:7`).
 */
export function normalizeImageRef(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}
