import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../gate/criteria-evaluation';
import type { RunResults } from '../results/results-model';
import { readResults } from '../results/results-store';
import { findPreviousRun } from './previous-run';
import { compileReportTemplate } from './report-templates';
import { reportView } from './report-view';
import { compareRuns } from './run-comparison';

export const REPORT_FILE = 'index.html';

export interface RenderOptions {
  /** The verdict to show, as the gate evaluated it; no verdict section when absent. The report never reads criteria. */
  verdict?: Verdict;
  /**
   * The run to compare with: a run directory, `newest-earlier` (the newest earlier run of the same kind in the same
   * folder), or none when absent.
   */
  previous?: string | 'newest-earlier';
  /** The run's results.json when the caller has read it already; read here otherwise. */
  results?: RunResults;
}

export interface RenderedReport {
  file: string;
  /** The run it was compared with, if any. */
  previousRunId?: string;
}

/**
 * Writes `<runDir>/index.html` from the run's results.json, the verdict it is given and the run it is told to
 * compare with: nothing else, so any old run can be rendered again.
 */
export function renderReport(runDir: string, opts: RenderOptions = {}): RenderedReport {
  const results = opts.results ?? readResults(runDir);
  const previous =
    opts.previous === 'newest-earlier' ? findPreviousRun(runDir, results)?.results : opts.previous ? readResults(opts.previous) : undefined;
  const html = buildReportHtml(results, { previous, verdict: opts.verdict });
  const file = join(runDir, REPORT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, file);
  return { file, previousRunId: previous?.runId };
}

/** The page for one run, as a string: inline CSS, script, SVG charts and data; no external resource. */
export function buildReportHtml(results: RunResults, opts: { previous?: RunResults; verdict?: Verdict } = {}): string {
  const comparison = opts.previous ? compareRuns(opts.previous, results) : undefined;
  return compileReportTemplate()(reportView(results, { verdict: opts.verdict, comparison }));
}
