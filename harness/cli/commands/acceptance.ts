import { createProgress } from '../progress';
import { buildRuntime } from '../../runtime/build-runtime';
import { runtimeIsBuilt } from '../../runtime/runtime-binaries';
import { consoleSummary } from '../../results/console-summary';
import { withSession, type Session } from '../../run/run-session';
import type { TargetOptions } from '../../run/target-options';
import { validateTargetOptions } from '../../run/target-options';
import { runSuites } from '../../suites/run-suites';
import { setSuiteContext } from '../../suites/suite-context';
import { ACCEPTANCE_AREAS, suiteFiles } from '../../suites/suite-files';
import { usageError } from '../../errors/harness-error';

export interface AcceptanceOptions extends TargetOptions {
  grep?: string;
  bail?: boolean;
  keepUp?: boolean;
  out?: string;
  areas?: string[];
}

/** Runs the acceptance suites against a deployment; exit 0 when every test passed, 1 otherwise. */
export function acceptanceCommand(opts: AcceptanceOptions): Promise<number> {
  return suiteRunCommand('acceptance', opts.areas ?? ACCEPTANCE_AREAS, opts);
}

/** Runs the chaos probes (suites/chaos) against a deployment; their expected-vs-observed records go to results. */
export function chaosCommand(opts: AcceptanceOptions): Promise<number> {
  return suiteRunCommand('chaos', opts.areas ?? ['chaos'], opts);
}

async function suiteRunCommand(kind: 'acceptance' | 'chaos', areas: string[], opts: AcceptanceOptions): Promise<number> {
  validateTargetOptions(opts);
  const files = suiteFiles(areas);
  if (files.length === 0) throw usageError('NO_SUITES', 'no suite files found under suites/', 'run from a checkout of dapr-harness');
  await ensureRuntime(opts);
  const results = await withSession({ ...opts, kind }, (session) => runSuitesInSession(session, files, opts));
  process.stdout.write(`\n${consoleSummary(results)}\n`);
  const failed = results.tests.some((t) => t.status === 'failed') || results.chaos.some((c) => !c.passed);
  return failed || results.partial || results.tests.length === 0 ? 1 : 0;
}

/** The newcomer's first local run builds the runtime instead of sending them to another command. */
export async function ensureRuntime(opts: TargetOptions): Promise<void> {
  if (opts.target !== 'local' || runtimeIsBuilt()) return;
  const progress = createProgress();
  progress.log('the Dapr runtime is not built yet: building it once (a few minutes; cached afterwards)');
  const built = await buildRuntime(progress);
  progress.done(`built Dapr ${built.binaries.version} in ${built.seconds.toFixed(0)}s`);
}

/** Runs suite files against the session's deployment; every finished test lands in results.json at once. */
export async function runSuitesInSession(session: Session, files: string[], opts: { grep?: string; bail?: boolean }): Promise<void> {
    setSuiteContext({
      deployment: session.deployment,
      runDir: session.runDir,
      recordChaos: (r) => {
        session.results.chaos.push(r);
        session.save();
      },
    });
    try {
      let done = 0;
      await runSuites({
        files,
        grep: opts.grep,
        bail: opts.bail,
        signal: session.signal,
        onTestEnd: (t) => {
          done++;
          session.results.tests.push(t);
          session.save();
          const mark = t.status === 'passed' ? '✓' : t.status === 'failed' ? '✗' : '-';
          session.progress.log(`  ${mark} ${t.suitePath.join(' › ')} › ${t.title}${t.status === 'failed' ? `\n      ${(t.failure?.message ?? '').split('\n')[0]}` : ''}`);
          session.progress.update(`${done} tests run`);
        },
      });
    } finally {
      setSuiteContext(undefined);
    }
}
