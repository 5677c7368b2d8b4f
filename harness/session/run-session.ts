import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError, runtimeError } from '../errors/harness-error';
import { createProgress, type Progress } from '../console/progress';
import { collectEnvironment } from './environment';
import { junitXml } from '../results/junit';
import type { RunKind, RunResults } from '../results/results-model';
import { emptyResults, linkLatest, readResults, writeResults } from '../results/results-store';
import type { Deployment } from '../targets/deployment';
import { newRunId } from '../targets/local/run-dir';
import { DEFAULT_CRITERIA_FILE, REPORTS_DIR } from '../paths';
import { openTarget, type TargetSpec } from './target-options';
import { auditControls } from './audited-controls';
import { onInterrupt } from './interrupts';
import { renderReport } from '../report/render-report';
import { loadCriteria } from '../gate/criteria-file';
import { evaluateCriteria } from '../gate/criteria-evaluation';
import { redact } from '../secrets/redaction';
import { AuditLog, setCurrentAuditLog } from '../audit/audit-log';
import { DeathRecorder } from './process-deaths';
import { describeDeath } from '../targets/deployment';

export interface SessionOptions {
  kind: RunKind;
  /** Where the deployment is, from parseTargetOptions. */
  target: TargetSpec;
  out?: string;
  keepUp?: boolean;
  /** Criteria the report's verdict is evaluated against (criteria.yaml when absent); none when false. */
  criteria?: string | false;
}

export interface Session {
  runId: string;
  runDir: string;
  progress: Progress;
  deployment: Deployment;
  results: RunResults;
  signal: AbortSignal;
  /** Writes results.json as it stands (marked partial until the session finishes). */
  save(): void;
}

/**
 * One run against a deployment, whatever it does (acceptance, chaos, load): opens the target, keeps results.json
 * current as work finishes, and on every way out — success, failure, Ctrl-C — writes the results (partial if
 * cut short), junit.xml and the report, then stops what it started.
 */
export async function withSession(opts: SessionOptions, work: (s: Session) => Promise<void>): Promise<RunResults> {
  const runId = newRunId();
  const runDir = resolve(opts.out ?? join(REPORTS_DIR, 'runs', runId));
  mkdirSync(runDir, { recursive: true });
  const progress = createProgress();
  const abort = new AbortController();
  const stopListening = onInterrupt((signal, count) => {
    progress.log(
      count === 1
        ? `${signal}: stopping after the current step; results so far are kept (again to stop at once)`
        : `${signal} again: stopping now`,
    );
    abort.abort(runtimeError('INTERRUPTED', `run interrupted by ${signal}`, `partial results are in ${runDir}`));
  });

  const audit = new AuditLog(join(runDir, 'audit.log'));
  setCurrentAuditLog(audit);
  const results = emptyResults({ runId, kind: opts.kind, target: { kind: opts.target.kind }, partial: true });
  const deaths = new DeathRecorder(results);
  let unwatchDeaths: (() => void) | undefined;
  const save = (): void => {
    deaths.attribute();
    results.finishedAt = new Date().toISOString();
    writeResults(runDir, results);
  };
  save();
  let deployment: Deployment | undefined;
  try {
    progress.log(`run ${runId} · target ${opts.target.kind} · results in ${runDir}`);
    deployment = await openTarget(opts.target, { runId, runDir, progress, signal: abort.signal, audit });
    auditControls(deployment, audit);
    const watch = deployment.processDeaths;
    const onDeath = (death: Parameters<typeof describeDeath>[0]): void => {
      deaths.record(death);
      progress.log(`✗ ${describeDeath(death)}`);
      save();
    };
    if (watch) {
      watch.deaths().forEach(onDeath);
      unwatchDeaths = watch.onDeath(onDeath);
    }
    results.environment = await collectEnvironment(deployment);
    results.target.description =
      deployment.target === 'local' ? `local reference deployment (${deployment.runDir})` : `${deployment.apps.length} sidecars`;
    save();
    await work({ runId, runDir, progress, deployment, results, signal: abort.signal, save });
    results.partial = abort.signal.aborted;
  } catch (err) {
    results.partial = true;
    const e =
      err instanceof HarnessError
        ? err
        : runtimeError('RUN_FAILED', err instanceof Error ? err.message : String(err), 'see the logs in the run directory');
    results.errors.push({ code: e.code, message: e.message });
    throw err;
  } finally {
    // Exits from here on are the deployment being stopped, not deaths.
    unwatchDeaths?.();
    save();
    writeFileSync(join(runDir, 'junit.xml'), redact(junitXml(results)));
    await renderReportSafely(runDir, opts.criteria === undefined ? DEFAULT_CRITERIA_FILE : opts.criteria, progress);
    if (!opts.out) linkLatest(REPORTS_DIR, runDir);
    if (deployment) await finishDeployment(deployment, opts, progress);
    setCurrentAuditLog(undefined);
    stopListening();
    progress.done();
  }
  return results;
}

async function finishDeployment(d: Deployment, opts: SessionOptions, progress: Progress): Promise<void> {
  if (opts.keepUp && d.keepRunning) {
    progress.log(`--keep-up: ${d.keepRunning()}`);
    return;
  }
  if (opts.keepUp) progress.log(`--keep-up: the ${d.target} target was not started by the harness, so there is nothing to keep up`);
  progress.update('stopping the deployment');
  await d.stop();
}

/**
 * After results.json is written: the gate's evaluation of it (when criteria are given), then the report from the
 * results and that verdict. Failing to render must not lose the results or change the exit code.
 */
async function renderReportSafely(runDir: string, criteria: string | false, progress: Progress): Promise<void> {
  try {
    // Read back rather than taken from memory: results.json is the redacted record, and the report shows only it.
    const results = readResults(runDir);
    const verdict = criteria === false ? undefined : evaluateCriteria(loadCriteria(criteria), results);
    renderReport(runDir, { results, verdict, previous: 'newest-earlier' });
  } catch (err) {
    progress.log(
      `report not rendered: ${(err as Error).message.split('\n')[0]} (results.json is complete; re-render with npm run report -- ${runDir})`,
    );
  }
}
