import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { runtimeError, usageError } from '../errors/harness-error';
import type { Progress } from '../cli/progress';
import { RUNTIME_MODULE_DIR, runtimeBinaries, runtimeIsBuilt, type RuntimeBinaries } from './runtime-binaries';
import { requireCommand } from '../targets/local/required-commands';

/**
 * Dapr's own component sets are chosen by build tag. "stablecomponents" plus the two the reference deployment
 * adds itself (see runtime/cmd/daprd/extra_components.go) keeps the cold build within budget on two cores.
 */
export const DAPR_BUILD_TAGS = 'stablecomponents';

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
  const plain = bins.version.replace(/^v/, '');
  const ldflags = [
    '-s',
    '-w',
    `-X github.com/dapr/dapr/pkg/buildinfo.version=${plain}`,
    `-X github.com/dapr/dapr/pkg/buildinfo.gitversion=${bins.version}`,
    `-X github.com/dapr/dapr/pkg/buildinfo.gitcommit=${bins.version}`,
  ].join(' ');
  // Build into a sibling temp dir and rename, so an interrupted build never leaves half a runtime in the cache.
  const staging = `${bins.dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(dirname(bins.dir), { recursive: true });
  const args = ['build', '-v', '-trimpath', '-tags', DAPR_BUILD_TAGS, '-ldflags', ldflags, '-o', staging + '/', './cmd/daprd', './cmd/sentry'];
  progress.update(`building Dapr ${bins.version} (go ${args.slice(0, 5).join(' ')} …)`);
  try {
    await runGo(args, progress);
    if (existsSync(bins.dir)) rmSync(bins.dir, { recursive: true, force: true });
    renameSync(staging, bins.dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { binaries: bins, built: true, seconds: (Date.now() - started) / 1000 };
}

function runGo(args: string[], progress: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', args, { cwd: RUNTIME_MODULE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let compiled = 0;
    const tail: string[] = [];
    const onLine = (line: string): void => {
      if (!line) return;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      // `go build -v` names each package as it is compiled.
      if (/^[\w.-]+(\/[\w.@~+-]+)+$/.test(line)) {
        compiled++;
        progress.update(`compiled ${compiled} packages · ${line}`);
      }
    };
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const onSignal = (): void => {
      child.kill('SIGTERM');
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.once('error', (err) => reject(runtimeError('GO_BUILD_FAILED', `could not run go: ${err.message}`, 'check that go is on PATH')));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (code === 0) resolve();
      else if (signal) reject(runtimeError('GO_BUILD_INTERRUPTED', `the runtime build was stopped by ${signal}`, 'run `npm run runtime` again; the Go build cache keeps what was compiled'));
      else reject(runtimeError('GO_BUILD_FAILED', `go build exited ${code}: ${tail.slice(-5).join(' | ')}`, `run it by hand in ${RUNTIME_MODULE_DIR} to see the whole output`));
    });
  });
}

/** `daprd --version` of a built runtime: what the binary says, not what we asked for. */
export function binaryVersion(binary: string): string {
  if (!existsSync(binary)) throw usageError('RUNTIME_MISSING', `${binary} does not exist`, 'run `npm run runtime`');
  return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n').pop() ?? '';
}
