import { resolve } from 'node:path';
import { loadCriteria } from '../gate/criteria-file';
import { evaluateCriteria } from '../gate/criteria-evaluation';
import { readResults } from '../results/results-store';
import { renderReport } from './render-report';

export interface ReportOptions {
  /** The run directory, e.g. reports/latest. */
  runDir: string;
  /** Criteria file for the verdict section; none when false. */
  criteria: string | false;
  /** Compare with this run; the newest earlier one of the same kind when absent; none when false. */
  previous?: string | false;
  out?: { write(chunk: string): unknown };
}

/**
 * Renders the run's HTML report again from its results.json alone, and says what it was rendered from. Exit 0
 * once the page is written, whatever the verdict (the gate decides builds); bad input throws a usage error (exit 2).
 */
export async function reportCommand(opts: ReportOptions): Promise<number> {
  const out = opts.out ?? process.stdout;
  const runDir = resolve(opts.runDir);
  const results = readResults(runDir);
  const verdict = opts.criteria === false ? undefined : evaluateCriteria(loadCriteria(opts.criteria), results);
  const rendered = renderReport(runDir, {
    results,
    verdict,
    previous: opts.previous === false ? undefined : (opts.previous ?? 'newest-earlier'),
  });
  const summary = verdict
    ? verdict.passedInScope
      ? 'criteria PASS'
      : `criteria FAIL (${verdict.failures.filter((r) => r.status !== 'not in this run').length} of ${verdict.rows.length} checks)`
    : 'no criteria';
  out.write(
    [
      `report: ${rendered.file}`,
      `rendered from ${runDir}/results.json alone${verdict ? `, verdict against ${opts.criteria}` : ''}${rendered.previousRunId ? `, compared with run ${rendered.previousRunId}` : ''}`,
      `${results.kind} run ${results.runId}${results.partial ? ' (PARTIAL)' : ''} · ${summary}`,
    ].join('\n') + '\n',
  );
  return 0;
}
