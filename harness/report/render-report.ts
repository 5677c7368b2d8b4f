import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCriteria } from '../gate/criteria-file';
import { evaluateCriteria } from '../gate/criteria-evaluation';
import type { RunResults } from '../results/results-model';
import { readResults } from '../results/results-store';
import { findPreviousRun } from './previous-run';
import { compileReportTemplate } from './report-templates';
import { reportView } from './report-view';
import { compareRuns } from './run-comparison';

export const REPORT_FILE = 'index.html';
export const DEFAULT_CRITERIA_FILE = resolve(import.meta.dirname, '../../criteria.yaml');

export interface RenderOptions {
  /** Compare with this run instead of the newest earlier run of the same kind beside this one. */
  previousRunDir?: string;
  /** Criteria to show the verdict against; the repository's criteria.yaml when absent, none when false. */
  criteria?: string | false;
}

/**
 * Writes `<runDir>/index.html` from the run's results.json (and the previous run's), nothing else, so any old
 * run can be rendered again. Returns the path of the page.
 */
export function renderReport(runDir: string, opts: RenderOptions = {}): string {
  const results = readResults(runDir);
  const previous = opts.previousRunDir ? readResults(opts.previousRunDir) : findPreviousRun(runDir, results)?.results;
  const criteriaFile = opts.criteria === false ? undefined : (opts.criteria ?? (existsSync(DEFAULT_CRITERIA_FILE) ? DEFAULT_CRITERIA_FILE : undefined));
  const html = buildReportHtml(results, { previous, criteriaFile });
  const file = join(runDir, REPORT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, file);
  return file;
}

/** The page for one run, as a string: inline CSS, script, SVG charts and data; no external resource. */
export function buildReportHtml(results: RunResults, opts: { previous?: RunResults; criteriaFile?: string } = {}): string {
  const verdict = opts.criteriaFile ? evaluateCriteria(loadCriteria(opts.criteriaFile), results) : undefined;
  const comparison = opts.previous ? compareRuns(opts.previous, results) : undefined;
  return compileReportTemplate()(reportView(results, { verdict, comparison }));
}
