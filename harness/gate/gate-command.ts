import { readResults } from '../results/results-store';
import { loadCriteria } from './criteria-file';
import { evaluateCriteria } from './criteria-evaluation';
import { formatVerdict } from './verdict-format';

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
