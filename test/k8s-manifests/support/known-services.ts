import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './manifest';

export const SERVICES_DIR = join(REPO_ROOT, 'system-under-test/services');

/** The services the image can run: system-under-test/services/<name>/main.ts, as its CMD starts them. */
export function knownServices(dir = SERVICES_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'main.ts')))
    .map((e) => e.name)
    .sort();
}
