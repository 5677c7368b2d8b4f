import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';

export const SUITES_DIR = join(REPO_ROOT, 'suites');

/**
 * Suites that disturb the deployment for longer than their own tests run last, in this order: a restarted sidecar,
 * a replaced instance and a stopped Redis or NATS leave component circuit breakers open until their timeout passes
 * (and a replaced subscriber, a new broker consumer that the crash probe's timing would otherwise meet).
 */
const RUN_LAST = ['restarts.suite.ts', 'replacement.suite.ts', 'outages.suite.ts'];

/** The suite files of some areas (folders under suites/), alphabetical but for RUN_LAST. */
export function suiteFiles(areas: string[]): string[] {
  const rank = (f: string): number => RUN_LAST.indexOf(f);
  return areas.flatMap((area) => {
    const dir = join(SUITES_DIR, area);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.suite.ts'))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((f) => join(dir, f));
  });
}

/** What `npm run acceptance` runs: the user stories, then security and observability conformance. */
export const ACCEPTANCE_AREAS = ['acceptance', 'security', 'observability'];
