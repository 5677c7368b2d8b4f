import { spawn } from 'node:child_process';
import { runtimeError } from '../errors/harness-error';
import type { Progress } from '../console/progress';

const TAIL_LINES = 20;

/**
 * Runs `go` in a module directory, turning `go build -v`'s package lines into progress and keeping the last
 * lines of output for the error. An abort (Ctrl-C in the harness) ends the build; the Go build cache keeps
 * whatever was compiled, so the next attempt resumes.
 */
export function runGo(args: string[], opts: { cwd: string; env?: Record<string, string>; progress: Progress; signal?: AbortSignal; what: string }): Promise<void> {
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
