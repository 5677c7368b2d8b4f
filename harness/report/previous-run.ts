import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RESULTS_FILE, readResults } from '../results/results-store';
import type { RunResults } from '../results/results-model';

/**
 * The run to compare with: among the run directories beside this one (same parent, after resolving a
 * `reports/latest` link), the newest by startedAt of the same kind that started before this one. Directories
 * whose results.json is missing or invalid are passed over, not reported: they are other runs' business.
 */
export function findPreviousRun(runDir: string, current: RunResults): { dir: string; results: RunResults } | undefined {
  const self = realpathSync(runDir);
  const parent = dirname(self);
  const startedAt = Date.parse(current.startedAt);
  let best: { dir: string; results: RunResults; at: number } | undefined;
  for (const entry of readdirSync(parent, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(parent, entry.name);
    if (dir === self || !existsSync(join(dir, RESULTS_FILE))) continue;
    let results: RunResults;
    try {
      results = readResults(dir);
    } catch {
      continue;
    }
    const at = Date.parse(results.startedAt);
    if (results.kind !== current.kind || !(at < startedAt)) continue;
    if (!best || at > best.at) best = { dir, results, at };
  }
  return best && { dir: best.dir, results: best.results };
}
