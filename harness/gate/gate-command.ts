import { renderTable } from '../cli/table';
import { readResults } from '../results/results-store';
import { loadCriteria } from './criteria-file';
import { evaluateCriteria, type Verdict, type VerdictRow } from './criteria-evaluation';

export interface GateOptions {
  /** Path of the criteria file, e.g. criteria.yaml. */
  criteria: string;
  /** A run directory (or its results.json); several when an acceptance run and a load run are judged together. */
  results: string | string[];
  out?: { write(chunk: string): unknown };
}

/**
 * The CI contract: 0 when every criterion passes, 1 when any fails or was not measured. A malformed criteria
 * file or unreadable results throw a usage error (exit 2), so a broken gate never looks like a failing build.
 */
export async function gateCommand(opts: GateOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const criteria = loadCriteria(opts.criteria);
  const dirs = Array.isArray(opts.results) ? opts.results : [opts.results];
  const runs = dirs.map((d) => readResults(d));
  const verdict = evaluateCriteria(criteria, runs);
  out.write(`${formatVerdict(verdict)}\n`);
  return verdict.passed ? 0 : 1;
}

export function verdictText(row: VerdictRow): string {
  switch (row.status) {
    case 'pass':
      return 'pass';
    case 'fail':
      return 'FAIL';
    case 'not measured':
      return 'FAIL (not measured)';
    case 'not in this run':
      return 'FAIL (not in this run)';
    case 'skipped':
      return 'skipped (optional)';
  }
}

export function formatVerdict(v: Verdict): string {
  const several = v.runIds.length > 1;
  const headers = ['CRITERION', 'SERIES', 'THRESHOLD', 'MEASURED', 'VERDICT', ...(several ? ['RUN'] : [])];
  const rows = v.rows.map((r) => [r.criterion, r.series || '-', r.threshold, r.measuredText, verdictText(r), ...(several ? [r.runId ?? '-'] : [])]);
  const lines = [renderTable(headers, rows)];
  for (const f of v.failures) {
    const where = f.line > 0 ? `${v.criteriaFile}:${f.line}` : 'gate';
    const series = f.series ? ` [${f.series}]` : '';
    lines.push(`  ${where}: ${f.criterion}${series} ${f.threshold}: ${f.measuredText}${f.detail ? ` (${f.detail})` : ''}`);
  }
  const runs = v.runIds.join(', ');
  lines.push(v.passed ? `gate PASSED: ${v.rows.length} checks against run ${runs}` : `gate FAILED: ${v.failures.length} of ${v.rows.length} checks failed against run ${runs}`);
  return lines.join('\n');
}
