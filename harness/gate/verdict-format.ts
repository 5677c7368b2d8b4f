import { renderTable } from '../console/table';
import type { Verdict, VerdictRow } from './criteria-evaluation';

/** The verdict as words and a table, for the gate's console output and the report's rows. */
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
  const rows = v.rows.map((r) => [
    r.criterion,
    r.series || '-',
    r.threshold,
    r.measuredText,
    verdictText(r),
    ...(several ? [r.runId ?? '-'] : []),
  ]);
  const lines = [renderTable(headers, rows)];
  for (const f of v.failures) {
    const where = f.line > 0 ? `${v.criteriaFile}:${f.line}` : 'gate';
    const series = f.series ? ` [${f.series}]` : '';
    lines.push(`  ${where}: ${f.criterion}${series} ${f.threshold}: ${f.measuredText}${f.detail ? ` (${f.detail})` : ''}`);
  }
  const runs = v.runIds.join(', ');
  lines.push(
    v.passed
      ? `gate PASSED: ${v.rows.length} checks against run ${runs}`
      : `gate FAILED: ${v.failures.length} of ${v.rows.length} checks failed against run ${runs}`,
  );
  return lines.join('\n');
}
