import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where things live, in one place: the checkout, its run and report folders, and the build cache. */
export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const DEFAULT_RUN_ROOT = join(REPO_ROOT, '.run');
export const DEFAULT_RUN_FILE = join(REPO_ROOT, 'system-under-test', 'dapr.yaml');
export const REPORTS_DIR = join(REPO_ROOT, 'reports');
/** The success criteria every command judges a run against unless told otherwise. */
export const DEFAULT_CRITERIA_FILE = join(REPO_ROOT, 'criteria.yaml');

/** Built binaries (daprd, sentry, the Kubernetes test control plane) are cached here across checkouts. */
export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'dapr-harness');
}
