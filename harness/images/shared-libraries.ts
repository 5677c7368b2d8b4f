import { execFileSync } from 'node:child_process';
import { runtimeError } from '../errors/harness-error';
import type { ImageEntry } from './image-spec';

/**
 * The shared libraries and the loader a dynamically linked host binary needs, as `ldd` lists them, each put at
 * the path ldd names (the loader's default search path finds them there without an ld.so.cache).
 */
export function sharedLibraryEntries(binaries: string[]): ImageEntry[] {
  const paths = new Set<string>();
  for (const binary of binaries) {
    let out: string;
    try {
      out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      // ldd exits 1 on a static binary: it needs nothing.
      if (
        /not a dynamic executable/.test(
          String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? ''),
        )
      )
        continue;
      throw runtimeError(
        'LDD_FAILED',
        `ldd ${binary} failed: ${(err as Error).message}`,
        'install libc-bin (ldd) and check the binary exists',
      );
    }
    for (const line of out.split('\n')) {
      if (/not found/.test(line))
        throw runtimeError(
          'LIBRARY_MISSING',
          `${binary} needs a library this machine lacks: ${line.trim()}`,
          'install the package that provides it',
        );
      const path = /=>\s+(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
      if (path) paths.add(path);
    }
  }
  return [...paths].sort().map((path) => ({ target: path, source: path }));
}
