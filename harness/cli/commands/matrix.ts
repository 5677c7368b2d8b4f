import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createProgress } from '../../console/progress';
import { renderTable } from '../../console/table';
import { HarnessError, runtimeError } from '../../errors/harness-error';
import { MATRIX_ROWS, type MatrixArea, type MatrixColumn, type MatrixRowDefinition } from '../../results/component-matrix';
import { matrixFindings, matrixMetrics, matrixRows } from '../../results/matrix-cells';
import type { RunResults } from '../../results/results-model';
import { emptyResults, linkLatest, readResults, writeResults } from '../../results/results-store';
import { junitXml } from '../../results/junit';
import { redact } from '../../secrets/redaction';
import { renderReport } from '../../report/render-report';
import { withSession } from '../../session/run-session';
import { onInterrupt } from '../../session/interrupts';
import { parseTargetOptions } from '../../session/target-options';
import { suiteFiles } from '../../suite-runner/suite-files';
import { newRunId } from '../../targets/local/run-dir';
import { matrixSets, parseChoiceList, selectionLabel } from '../../targets/local/components/component-choices';
import { sidecarMetadata } from '../../targets/sidecar-metadata';
import { checkLocalPrerequisites } from '../../targets/local/local-target';
import type { Deployment } from '../../targets/deployment';
import { REPORTS_DIR } from '../../paths';
import { usageError } from '../../errors/harness-error';
import { nearestName } from '../../naming/nearest-name';
import { ensureRuntime, knownDeviationsFor, runSuitesInSession, type AcceptanceOptions } from './acceptance';

export interface MatrixOptions extends Omit<AcceptanceOptions, 'grep' | 'pubsub' | 'state'> {
  /** Comma-separated choices; all when absent. */
  pubsub?: string;
  state?: string;
  /** Comma-separated row ids; all when absent. */
  rows?: string;
}

/** The suites the rows' checks live in; the matrix runs only the rows' tests from them (by title). */
const MATRIX_AREAS = ['acceptance', 'chaos', 'matrix'];
/** The component each area's row is about: the name the reference deployment gives it. */
const COMPONENT_OF: Record<MatrixArea, string> = { pubsub: 'pubsub', state: 'statestore' };

/**
 * The component conformance matrix: for each component set (each pub/sub choice beside Redis, each state choice
 * beside NATS), a deployment of its own, the rows' tests against it, and one run whose results.json holds every
 * set's tests and the matrix. Each set's own run (results, logs, metadata.json) is kept under sets/ as evidence.
 * Exit code: 0 when no cell failed or was left unchecked, 1 otherwise, 2 on bad flags.
 */
export async function matrixCommand(opts: MatrixOptions): Promise<number> {
  const target = parseTargetOptions({ ...opts, pubsub: undefined, state: undefined });
  if (target.kind !== 'local')
    throw usageError('BAD_FLAG', 'the matrix starts a deployment per component set, so it runs on the local target only', 'drop --target');
  const rows = parseRows(opts.rows);
  const sets = matrixSets(parseChoiceList('pubsub', opts.pubsub), parseChoiceList('state', opts.state)).filter((s) =>
    s.areas.some((a) => rows.some((r) => r.area === a)),
  );
  // Every set's servers, before the first set starts: a missing one is exit 2, not a run that fails half-way.
  for (const set of sets) checkLocalPrerequisites(target.runFile, set.selection);
  const deviations = knownDeviationsFor(opts);
  await ensureRuntime(opts);

  const runId = newRunId();
  const runDir = resolve(opts.out ?? join(REPORTS_DIR, 'runs', runId));
  const progress = createProgress();
  const results = emptyResults({
    runId,
    kind: 'matrix',
    target: { kind: 'local', description: 'local reference deployment, one per component set' },
    partial: true,
  });
  const columns: { column: MatrixColumn; run: RunResults }[] = [];
  const save = (): void => {
    const found = matrixRows(rows, columns);
    const cols = columns.map((c) => c.column);
    results.matrix = { columns: cols, rows: found, findings: matrixFindings(found, cols) };
    results.metrics = matrixMetrics(found);
    results.finishedAt = new Date().toISOString();
    writeResults(runDir, results);
  };
  save();
  progress.log(`matrix ${runId}: ${sets.length} component set${sets.length === 1 ? '' : 's'} · results in ${runDir}`);
  // Each set's session stops its own deployment on Ctrl-C and returns what it has; the matrix then stops too.
  let interrupted = false;
  const stopListening = onInterrupt(() => {
    interrupted = true;
  });
  try {
    for (const set of sets) {
      if (interrupted) break;
      const label = selectionLabel(set.selection);
      const setDir = join(runDir, 'sets', label);
      const setRows = rows.filter((r) => set.areas.includes(r.area));
      progress.log(`\n== ${label}: ${setRows.map((r) => r.id).join(', ')}`);
      const capabilities: Partial<Record<MatrixArea, { type?: string; version?: string; capabilities?: string[] }>> = {};
      let run: RunResults | undefined;
      let deploymentDir: string | undefined;
      try {
        run = await withSession(
          { kind: 'matrix', target: { ...target, components: set.selection }, out: setDir, criteria: false },
          async (session) => {
            deploymentDir = session.deployment.runDir;
            Object.assign(capabilities, await declaredFeatures(session.deployment, setDir));
            await runSuitesInSession(session, suiteFiles(MATRIX_AREAS), { grep: grepFor(setRows), deviations });
          },
        );
      } catch (err) {
        // The set's run dir holds what it got; the matrix records the error and goes on unless interrupted.
        const e = err instanceof HarnessError ? err : runtimeError('MATRIX_SET_FAILED', (err as Error).message, `see ${setDir}`);
        results.errors.push({ code: e.code, message: `${label}: ${e.message}` });
        run = readResultsIfAny(setDir);
        if (e.code === 'INTERRUPTED') throw err;
      } finally {
        // The processes' logs (daprd, the broker or store) beside the set's results: the evidence of its cells.
        if (deploymentDir && existsSync(join(deploymentDir, 'logs')))
          cpSync(join(deploymentDir, 'logs'), join(setDir, 'logs'), { recursive: true });
      }
      for (const area of set.areas) {
        columns.push({
          column: { area, choice: set.selection[area], ...capabilities[area], runDir: relative(runDir, setDir) },
          run: run ?? emptyResults({ runId: label, kind: 'matrix', target: { kind: 'local' } }),
        });
      }
      if (run) {
        results.tests.push(...run.tests.map((t) => ({ ...t, id: `[${label}] ${t.id}`, suitePath: [label, ...t.suitePath] })));
        results.chaos.push(...run.chaos.map((c) => ({ ...c, target: `[${label}] ${c.target}` })));
        results.errors.push(...run.errors.map((e) => ({ ...e, message: `${label}: ${e.message}` })));
        if (!results.environment.daprVersion && run.environment.daprVersion) results.environment.daprVersion = run.environment.daprVersion;
      }
      save();
    }
    results.partial = interrupted;
  } finally {
    stopListening();
    save();
    writeFileSync(join(runDir, 'junit.xml'), redact(junitXml(readResults(runDir))));
    try {
      renderReport(runDir, { results: readResults(runDir), previous: 'newest-earlier' });
    } catch (err) {
      progress.log(`report not rendered: ${(err as Error).message.split('\n')[0]} (re-render with npm run report -- ${runDir})`);
    }
    if (!opts.out) linkLatest(REPORTS_DIR, runDir);
    progress.done();
  }
  process.stdout.write(`\n${matrixTable(results)}\n`);
  const open = (results.matrix?.rows ?? [])
    .flatMap((r) => Object.values(r.cells))
    .filter((c) => c.status === 'failed' || c.status === 'missing');
  return open.length === 0 && results.errors.length === 0 ? 0 : 1;
}

function parseRows(value: string | undefined): MatrixRowDefinition[] {
  if (value === undefined) return [...MATRIX_ROWS];
  const ids = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return ids.map((id) => {
    const row = MATRIX_ROWS.find((r) => r.id === id);
    if (row) return row;
    const near = nearestName(
      id,
      MATRIX_ROWS.map((r) => r.id),
    );
    throw usageError(
      'UNKNOWN_ROW',
      `unknown matrix row "${id}"${near ? ` (did you mean ${near}?)` : ''}`,
      `use --rows with ${MATRIX_ROWS.map((r) => r.id).join(', ')}`,
    );
  });
}

/** A mocha grep that selects exactly the rows' tests by their titles (at the end of the full title). */
function grepFor(rows: MatrixRowDefinition[]): string {
  const titles = [...new Set(rows.flatMap((r) => r.tests))];
  return `(${titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}

/** What daprd says each component is and declares (its metadata API), kept as evidence in the set's run dir. */
async function declaredFeatures(
  d: Deployment,
  setDir: string,
): Promise<Partial<Record<MatrixArea, { type?: string; version?: string; capabilities?: string[] }>>> {
  const app = d.apps[0];
  if (!app) return {};
  const meta = await sidecarMetadata(app.sidecar.httpUrl, d.apiToken);
  writeFileSync(join(setDir, 'metadata.json'), redact(JSON.stringify({ sidecar: app.appId, components: meta.components ?? [] }, null, 2)));
  const out: Partial<Record<MatrixArea, { type?: string; version?: string; capabilities?: string[] }>> = {};
  for (const area of ['pubsub', 'state'] as const) {
    const c = meta.components?.find((x) => x.name === COMPONENT_OF[area]);
    if (c) out[area] = { type: c.type, ...(c.version ? { version: c.version } : {}), capabilities: c.capabilities ?? [] };
  }
  return out;
}

function readResultsIfAny(dir: string): RunResults | undefined {
  try {
    return readResults(dir);
  } catch {
    return undefined;
  }
}

const MARK: Record<string, string> = {
  passed: 'pass',
  failed: 'FAIL',
  deviation: 'known dev.',
  unsupported: 'not supported',
  missing: '—',
};

/** The matrix as text for the console: a table per area. */
export function matrixTable(results: RunResults): string {
  const m = results.matrix;
  if (!m) return '';
  return (['pubsub', 'state'] as const)
    .map((area) => {
      const cols = m.columns.filter((c) => c.area === area);
      if (cols.length === 0) return '';
      const rows = m.rows.filter((r) => r.area === area);
      const header = [area === 'pubsub' ? 'pub/sub guarantee' : 'state guarantee', ...cols.map((c) => c.choice)];
      const body = rows.map((r) => [r.title, ...cols.map((c) => MARK[r.cells[c.choice]?.status ?? 'missing'] ?? '')]);
      return renderTable(header, body);
    })
    .filter(Boolean)
    .join('\n\n')
    .concat(m.findings.length > 0 ? `\n\nfindings:\n${m.findings.map((f) => `  - ${f}`).join('\n')}` : '');
}
