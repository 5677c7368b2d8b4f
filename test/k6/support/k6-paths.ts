import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const K6_DIR = join(REPO_ROOT, 'load/k6');
export const K8S_LOAD_DIR = join(REPO_ROOT, 'k8s/load');
export const CRITERIA_FILE = join(REPO_ROOT, 'criteria.yaml');

/** The k6 scripts: every .ts in load/k6 but declaration files. */
export function k6Scripts(): string[] {
  return readdirSync(K6_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}
