import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { usageError } from '../errors/harness-error';
import type { RunResults } from './results-model';
import { resultsProblems } from './results-schema';
import { redactDeep } from '../secrets/redaction';

export const RESULTS_FILE = 'results.json';

/**
 * Validates and writes results.json atomically (temp file + rename), so a reader never sees half a file and an
 * interrupted write leaves the previous version in place.
 */
export function writeResults(runDir: string, results: RunResults): string {
  const problems = resultsProblems(results);
  if (problems.length > 0) throw new Error(`results do not match the schema: ${problems.slice(0, 5).join('; ')}`);
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, RESULTS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(redactDeep(results), null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

/** Reads and validates a run's results.json (`dir` may be the run dir or the file itself). */
export function readResults(dirOrFile: string): RunResults {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, RESULTS_FILE);
  if (!existsSync(file))
    throw usageError('RESULTS_MISSING', `${file} does not exist`, 'pass the directory of a finished run, e.g. reports/latest');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(
      'RESULTS_INVALID',
      `${file} is not valid JSON (${(err as Error).message})`,
      'the file is damaged; re-run to produce it again',
    );
  }
  const problems = resultsProblems(doc);
  if (problems.length > 0)
    throw usageError(
      'RESULTS_INVALID',
      `${file} does not match results schema v1: ${problems[0]}`,
      'it was written by another version of the harness or edited by hand',
    );
  return doc as RunResults;
}

/** Points `reports/latest` at the newest run (a relative symlink, replaced atomically). */
export function linkLatest(reportsDir: string, runDir: string): void {
  const link = join(reportsDir, 'latest');
  const tmp = `${link}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(relative(dirname(link), runDir), tmp);
  renameSync(tmp, link);
}

export function emptyResults(init: Pick<RunResults, 'runId' | 'kind' | 'target'> & Partial<RunResults>): RunResults {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    partial: false,
    startedAt: now,
    finishedAt: now,
    environment: { components: [] },
    tests: [],
    chaos: [],
    metrics: [],
    scenarios: [],
    errors: [],
    ...init,
  };
}
