import { deviationText, skipText } from './test-outcome';
import { matrixMetricName, type MatrixCell, type MatrixColumn, type MatrixRowDefinition, type MatrixRowResult } from './component-matrix';
import type { ChaosResult, MetricSample, RunResults, TestResult } from './results-model';

const firstLine = (text: string | undefined): string => (text ?? '').split('\n')[0]?.slice(0, 400) ?? '';

/** One cell: what the row's tests (or chaos checks) in a component set's run say, given the features it declares. */
export function matrixCell(row: MatrixRowDefinition, column: MatrixColumn, run: Pick<RunResults, 'tests' | 'chaos'>): MatrixCell {
  const tests = row.tests.map((title) => run.tests.find((t) => t.title === title));
  const evidence = { runDir: column.runDir, tests: tests.filter((t): t is TestResult => t !== undefined).map((t) => t.id) };
  const found = decide(row, tests, run.chaos);
  const declared = column.capabilities;
  if (row.feature && declared && !declared.includes(row.feature)) {
    const declaredText = `${column.type ?? column.choice} declares ${declared.length > 0 ? declared.join(', ') : 'no features'}, not ${row.feature}`;
    if (row.emulatedByDapr)
      return { ...found, detail: `${declaredText}; Dapr emulates it${found.detail ? `; ${found.detail}` : ''}`, evidence };
    return {
      status: 'unsupported',
      detail: `${declaredText} (the check ${found.status}${found.detail ? `: ${found.detail}` : ''})`,
      evidence,
    };
  }
  return { ...found, evidence };
}

function decide(row: MatrixRowDefinition, tests: (TestResult | undefined)[], chaos: ChaosResult[]): Omit<MatrixCell, 'evidence'> {
  if (tests.some((t) => t === undefined)) return { status: 'missing', detail: 'the check did not run in this set' };
  const ran = tests as TestResult[];
  const skipped = ran.find((t) => t.status === 'skipped');
  if (skipped) return { status: 'failed', detail: `skipped (${skipText(skipped)})` };
  if (row.chaos) {
    const record = chaos.find((c) => c.probe === row.chaos?.probe);
    if (record) {
      const wrong = row.chaos.keys.filter((k) => String(record.expected[k]) !== String(record.observed[k]));
      if (wrong.length === 0) return { status: 'passed' };
      const detail = wrong.map((k) => `${k}: expected ${record.expected[k]}, observed ${record.observed[k] ?? 'none'}`).join('; ');
      const acknowledged = ran.find((t) => t.deviation);
      if (acknowledged) return { status: 'deviation', detail: `${detail}; ${deviationText(acknowledged)}` };
      return { status: 'failed', detail };
    }
  }
  const failed = ran.find((t) => t.status === 'failed' && !t.deviation);
  if (failed) return { status: 'failed', detail: firstLine(failed.failure?.message) };
  const deviation = ran.find((t) => t.deviation);
  if (deviation) return { status: 'deviation', detail: deviationText(deviation) };
  return { status: 'passed' };
}

export function matrixRows(
  definitions: readonly MatrixRowDefinition[],
  columns: { column: MatrixColumn; run: Pick<RunResults, 'tests' | 'chaos'> }[],
): MatrixRowResult[] {
  return definitions.map((row) => ({
    id: row.id,
    area: row.area,
    title: row.title,
    cells: Object.fromEntries(
      columns.filter((c) => c.column.area === row.area).map((c) => [c.column.choice, matrixCell(row, c.column, c.run)]),
    ),
  }));
}

/** The gate's view of the cells: a rate per cell that ran (1 passed, 0 otherwise); unsupported and missing cells have none. */
export function matrixMetrics(rows: MatrixRowResult[]): MetricSample[] {
  return rows.flatMap((row) =>
    Object.entries(row.cells)
      .filter(([, cell]) => cell.status !== 'unsupported' && cell.status !== 'missing')
      .map(([choice, cell]) => {
        const passed = cell.status === 'passed';
        return {
          name: matrixMetricName(row.area, choice, row.id),
          kind: 'rate' as const,
          tags: {},
          rate: passed ? 1 : 0,
          passes: passed ? 1 : 0,
          fails: passed ? 0 : 1,
        };
      }),
  );
}

/** What the matrix found about components that did not hold, one sentence each, with where the evidence is. */
export function matrixFindings(rows: MatrixRowResult[], columns: MatrixColumn[]): string[] {
  return rows.flatMap((row) =>
    Object.entries(row.cells)
      .filter(([, cell]) => cell.status === 'failed' || cell.status === 'deviation')
      .map(([choice, cell]) => {
        const column = columns.find((c) => c.area === row.area && c.choice === choice);
        return `${column?.type ?? choice}: ${row.title} — ${cell.status === 'deviation' ? 'known deviation' : 'failed'}: ${cell.detail ?? ''} (evidence: ${column?.runDir ?? '?'})`;
      }),
  );
}
