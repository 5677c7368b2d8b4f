import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runtimeError } from '../errors/harness-error';
import type { Progress } from '../console/progress';

const TAIL_LINES = 20;

/**
 * Runs `go` in a module directory, turning `go build -v`'s package lines into progress and keeping the last
 * lines of output for the error. An abort (Ctrl-C in the harness) ends the build; the Go build cache keeps
 * whatever was compiled, so the next attempt resumes.
 */
export function runGo(
  args: string[],
  opts: { cwd: string; progress: Progress; signal?: AbortSignal; what: string; env?: Record<string, string> },
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const child = spawn('go', args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let compiled = 0;
    const tail: string[] = [];
    let buffer = '';
    const onLine = (line: string): void => {
      if (!line) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      if (/^[\w.-]+(\/[\w.@~+-]+)+$/.test(line)) {
        compiled++;
        opts.progress.update(`${opts.what}: compiled ${compiled} packages · ${line}`);
      }
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(runtimeError('GO_BUILD_FAILED', `could not run go: ${err.message}`, 'install Go and put it on PATH'));
    });
    child.once('exit', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (code === 0) resolve();
      else if (signal) reject(runtimeError('GO_BUILD_INTERRUPTED', `${opts.what} was stopped by ${signal}`, 'run it again; the Go build cache keeps what was compiled'));
      else reject(runtimeError('GO_BUILD_FAILED', `${opts.what} failed (go exited ${code}): ${tail.slice(-5).join(' | ')}`, `run \`go ${args.join(' ')}\` in ${opts.cwd} to see the whole output`));
    });
  });
}

export interface GoBuildInto {
  moduleDir: string;
  /** Package paths or `./cmd/x` dirs; binaries are named after their packages' last elements (one package: `outputs[0]`). */
  packages: string[];
  /** The files a finished build has; a build missing one fails instead of being cached. */
  outputs: string[];
  what: string;
  progress: Progress;
  tags?: string;
  ldflags?: string;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * `go build` of `packages` into a staging dir beside `dir`, renamed onto `dir` once every output is there: a
 * build that is interrupted or fails never leaves a directory that looks finished. Callers treat an existing
 * `dir` holding every output as built.
 */
export async function goBuildInto(dir: string, opts: GoBuildInto): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  mkdirSync(dirname(dir), { recursive: true });
  const args = ['build', '-v', '-trimpath'];
  if (opts.tags) args.push('-tags', opts.tags);
  if (opts.ldflags) args.push('-ldflags', opts.ldflags);
  // One package builds to its output's name; several go to the dir under their packages' names.
  const single = opts.packages.length === 1 && opts.outputs.length === 1;
  args.push('-o', single ? join(staging, opts.outputs[0]!) : `${staging}/`, ...opts.packages);
  try {
    await runGo(args, { cwd: opts.moduleDir, progress: opts.progress, signal: opts.signal, what: opts.what, env: opts.env });
    const missing = opts.outputs.filter((name) => !existsSync(join(staging, name)));
    if (missing.length > 0) {
      throw runtimeError('GO_BUILD_FAILED', `${opts.what} did not produce ${missing.join(', ')}`, `run \`go ${args.join(' ')}\` in ${opts.moduleDir}`);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** True when `dir` holds every output of a finished goBuildInto. */
export function builtInto(dir: string, outputs: string[]): boolean {
  return outputs.every((name) => existsSync(join(dir, name)));
}
