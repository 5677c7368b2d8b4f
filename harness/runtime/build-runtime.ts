import { mkdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { usageError } from '../errors/harness-error';
import { runGo } from './go-build';
import type { Progress } from '../console/progress';
import { RUNTIME_MODULE_DIR, runtimeBinaries, runtimeIsBuilt, type RuntimeBinaries } from './runtime-binaries';
import { requireCommand } from '../process/required-commands';

/**
 * Dapr's own component sets are chosen by build tag. "stablecomponents" plus the two the reference deployment
 * adds itself (see runtime/cmd/daprd/extra_components.go) keeps the cold build within budget on two cores.
 */
export const DAPR_BUILD_TAGS = 'stablecomponents';

/** Stripped binaries that report the release through Dapr's buildinfo (`daprd --version` prints `1.18.2`). */
export function daprLdflags(version: string): string {
  const plain = version.replace(/^v/, '');
  return [
    '-s',
    '-w',
    `-X github.com/dapr/dapr/pkg/buildinfo.version=${plain}`,
    `-X github.com/dapr/dapr/pkg/buildinfo.gitversion=${version}`,
    `-X github.com/dapr/dapr/pkg/buildinfo.gitcommit=${version}`,
  ].join(' ');
}

export interface BuildResult {
  binaries: RuntimeBinaries;
  built: boolean;
  seconds: number;
}

export async function buildRuntime(progress: Progress, opts: { force?: boolean } = {}): Promise<BuildResult> {
  const bins = runtimeBinaries();
  const started = Date.now();
  if (!opts.force && runtimeIsBuilt(bins)) {
    return { binaries: bins, built: false, seconds: 0 };
  }
  requireCommand('go', 'install Go (https://go.dev/dl) or `apt-get install golang`');
  const ldflags = daprLdflags(bins.version);
  // Build into a sibling temp dir and rename, so an interrupted build never leaves half a runtime in the cache.
  const staging = `${bins.dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(dirname(bins.dir), { recursive: true });
  const args = ['build', '-v', '-trimpath', '-tags', DAPR_BUILD_TAGS, '-ldflags', ldflags, '-o', staging + '/', './cmd/daprd', './cmd/sentry'];
  progress.update(`building Dapr ${bins.version} (go ${args.slice(0, 5).join(' ')} …)`);
  try {
    // Ctrl-C ends the build; the Go build cache keeps what was compiled, so the next run resumes.
    const interrupted = new AbortController();
    const onSignal = (): void => interrupted.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await runGo(args, { cwd: RUNTIME_MODULE_DIR, progress, signal: interrupted.signal, what: `the Dapr ${bins.version} build` });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (existsSync(bins.dir)) rmSync(bins.dir, { recursive: true, force: true });
    renameSync(staging, bins.dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { binaries: bins, built: true, seconds: (Date.now() - started) / 1000 };
}

/** `daprd --version` of a built runtime: what the binary says, not what we asked for. */
export function binaryVersion(binary: string): string {
  if (!existsSync(binary)) throw usageError('RUNTIME_MISSING', `${binary} does not exist`, 'run `npm run runtime`');
  // Generous: a cold page cache on a busy machine made a 10 s bound fail a CI run on a binary that was fine.
  const seconds = 120;
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: seconds * 1000 }).trim().split('\n').pop() ?? '';
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `did not answer in ${seconds} s` : (err as Error).message.split('\n')[0];
    throw new Error(`${binary} --version failed: ${why}; rebuild it with \`npm run runtime -- --force\` if it persists`);
  }
}
