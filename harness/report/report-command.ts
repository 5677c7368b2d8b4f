import { resolve } from 'node:path';
import { loadCriteria } from '../gate/criteria-file';
import { evaluateCriteria } from '../gate/criteria-evaluation';
import { readResults } from '../results/results-store';
import { DEFAULT_CRITERIA_FILE, renderReport } from './render-report';
import { existsSync } from 'node:fs';

export interface ReportOptions {
  /** The run directory, e.g. reports/latest. */
  runDir: string;
  /** Criteria file for the verdict section; the repository's criteria.yaml when absent. */
  criteria?: string;
  /** Compare with this run instead of the newest earlier one of the same kind. */
  previous?: string;
  out?: { write(chunk: string): unknown };
}

/**
 * Renders the run's HTML report and prints where it is. Exit 0 once the page is written, whatever the verdict
 * (the gate decides builds); bad input throws a usage error (exit 2).
 */
export async function reportCommand(opts: ReportOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const runDir = resolve(opts.runDir);
  const criteria = opts.criteria ?? (existsSync(DEFAULT_CRITERIA_FILE) ? DEFAULT_CRITERIA_FILE : undefined);
  const file = renderReport(runDir, { criteria: criteria ?? false, previousRunDir: opts.previous });
  const results = readResults(runDir);
  const verdict = criteria ? evaluateCriteria(loadCriteria(criteria), results) : undefined;
  const summary = verdict ? (verdict.passed ? 'criteria PASS' : `criteria FAIL (${verdict.failures.length} of ${verdict.rows.length} checks)`) : 'no criteria';
  out.write(`report: ${file}\n${results.kind} run ${results.runId}${results.partial ? ' (PARTIAL)' : ''} · ${summary}\n`);
  return 0;
}
