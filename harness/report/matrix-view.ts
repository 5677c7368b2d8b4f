import type { MatrixCellStatus } from '../results/component-matrix';
import type { RunResults } from '../results/results-model';

/** The component matrix as the report lays it out: a table per area, one column per component, one row per guarantee. */
export interface MatrixView {
  areas: {
    title: string;
    columns: { choice: string; type: string; capabilities: string; runDir: string }[];
    rows: { title: string; cells: { text: string; cls: string; detail: string; evidence: string }[] }[];
  }[];
  findings: string[];
}

const CELL: Record<MatrixCellStatus, { text: string; cls: string }> = {
  passed: { text: 'pass', cls: 'pass' },
  failed: { text: 'FAIL', cls: 'fail' },
  deviation: { text: 'known deviation', cls: 'deviation' },
  unsupported: { text: 'not supported', cls: 'skip' },
  missing: { text: 'not checked', cls: 'fail' },
};

export function matrixView(results: RunResults): MatrixView | undefined {
  const m = results.matrix;
  if (!m) return undefined;
  const areas = (['pubsub', 'state'] as const)
    .map((area) => {
      const columns = m.columns.filter((c) => c.area === area);
      return {
        title: area === 'pubsub' ? 'Pub/sub components' : 'State stores',
        columns: columns.map((c) => ({
          choice: c.choice,
          type: c.type ? `${c.type}${c.version ? `/${c.version}` : ''}` : 'did not start',
          capabilities: c.capabilities ? (c.capabilities.length > 0 ? c.capabilities.join(', ') : 'no features declared') : 'unknown',
          runDir: c.runDir,
        })),
        rows: m.rows
          .filter((r) => r.area === area)
          .map((r) => ({
            title: r.title,
            cells: columns.map((c) => {
              const cell = r.cells[c.choice];
              const look = CELL[cell?.status ?? 'missing'];
              return { ...look, detail: cell?.detail ?? '', evidence: cell?.evidence ? `${cell.evidence.runDir}/results.json` : '' };
            }),
          })),
      };
    })
    .filter((a) => a.columns.length > 0);
  return { areas, findings: m.findings };
}
