import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const K6_DIR = join(REPO_ROOT, 'load/k6');
export const K8S_LOAD_DIR = join(REPO_ROOT, 'k8s/load');
export const CRITERIA_FILE = join(REPO_ROOT, 'criteria.yaml');

/** Modules the scripts import (no test run of their own), shipped beside them in the ConfigMap. */
export const K6_SHARED_MODULES = ['settings.ts'];

/** Every .ts in load/k6 but declaration files: the scripts and the modules they share. */
export function k6Modules(): string[] {
  return readdirSync(K6_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/** The k6 scripts, each a test run of its own. */
export function k6Scripts(): string[] {
  return k6Modules().filter((f) => !K6_SHARED_MODULES.includes(f));
}
