import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';

export const SUITES_DIR = join(REPO_ROOT, 'suites');

/** The suite files of some areas (folders under suites/), in a stable order. */
export function suiteFiles(areas: string[]): string[] {
  return areas.flatMap((area) => {
    const dir = join(SUITES_DIR, area);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => f.endsWith('.suite.ts')).sort().map((f) => join(dir, f));
  });
}

/** What `npm run acceptance` runs: the user stories, then security and observability conformance. */
export const ACCEPTANCE_AREAS = ['acceptance', 'security', 'observability'];
