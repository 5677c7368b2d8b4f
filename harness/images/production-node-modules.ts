import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Progress } from '../console/progress';
import { runtimeError } from '../errors/harness-error';
import { REPO_ROOT, cacheRoot } from '../paths';

const run = promisify(execFile);

/**
 * `node_modules` with the production dependencies only, as the Dockerfiles' `npm ci --omit=dev --ignore-scripts`
 * stage makes it (tsx is a production dependency; esbuild's binary arrives as an optional one), installed once per
 * lockfile into the cache. Returns the node_modules dir.
 */
export async function ensureProductionNodeModules(progress: Progress): Promise<string> {
  const manifest = readFileSync(join(REPO_ROOT, 'package.json'));
  const lock = readFileSync(join(REPO_ROOT, 'package-lock.json'));
  const hash = createHash('sha256').update(manifest).update('\0').update(lock).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'node-modules', `production-${hash}`);
  const modules = join(dir, 'node_modules');
  // The dir appears only by the rename below, so one that exists is a finished install.
  if (existsSync(modules)) return modules;
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'package.json'), join(staging, 'package.json'));
  copyFileSync(join(REPO_ROOT, 'package-lock.json'), join(staging, 'package-lock.json'));
  progress.update('installing the production dependencies for the images (npm ci --omit=dev)');
  try {
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: staging, maxBuffer: 16 << 20 });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (err) {
    throw runtimeError(
      'NPM_CI_FAILED',
      `npm ci --omit=dev failed: ${(err as { stderr?: string }).stderr?.trim() ?? err}`,
      'check the npm registry is reachable',
      err,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return modules;
}
