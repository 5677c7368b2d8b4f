import { createProgress } from '../../console/progress';
import { buildRuntime } from '../../runtime/build-runtime';
import { runtimeIsBuilt } from '../../runtime/runtime-binaries';
import { consoleSummary } from '../../console/console-summary';
import { applyKnownDeviations, loadKnownDeviations, type KnownDeviation } from '../../results/known-deviations';
import { runOutcome } from '../../results/test-outcome';
import { withSession, type Session } from '../../session/run-session';
import type { TargetOptions } from '../../session/target-options';
import { parseTargetOptions } from '../../session/target-options';
import { runSuites } from '../../suite-runner/run-suites';
import { setSuiteContext } from '../../suite-runner/suite-context';
import { ACCEPTANCE_AREAS, suiteFiles } from '../../suite-runner/suite-files';
import { usageError } from '../../errors/harness-error';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../paths';

export interface AcceptanceOptions extends TargetOptions {
  grep?: string;
  bail?: boolean;
  keepUp?: boolean;
  out?: string;
  areas?: string[];
  /** known-deviations.yaml to apply; the repository's when absent, none when false. */
  knownDeviations?: string | false;
}

export const DEFAULT_KNOWN_DEVIATIONS = join(REPO_ROOT, 'known-deviations.yaml');

/** Read before anything starts, so a malformed file is a usage error (exit 2), not a run that fails at the end. */
export function knownDeviationsFor(opts: AcceptanceOptions): KnownDeviation[] {
  if (opts.knownDeviations === false) return [];
  if (opts.knownDeviations === undefined && !existsSync(DEFAULT_KNOWN_DEVIATIONS)) return [];
  return loadKnownDeviations(opts.knownDeviations ?? DEFAULT_KNOWN_DEVIATIONS);
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
  const target = parseTargetOptions(opts);
  const files = suiteFiles(areas);
  if (files.length === 0) throw usageError('NO_SUITES', 'no suite files found under suites/', 'run from a checkout of dapr-harness');
  const deviations = knownDeviationsFor(opts);
  await ensureRuntime(opts);
  const results = await withSession({ kind, target, out: opts.out, keepUp: opts.keepUp }, (session) =>
    runSuitesInSession(session, files, { ...opts, deviations, areas: opts.areas }),
  );
  process.stdout.write(`\n${consoleSummary(results)}\n`);
  return runOutcome(results).ok ? 0 : 1;
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
export async function runSuitesInSession(
  session: Session,
  files: string[],
  opts: { grep?: string; bail?: boolean; areas?: string[]; deviations?: readonly KnownDeviation[] },
): Promise<void> {
  // A narrowed run checked less than the command would: say so in the record, where the gate reads it.
  if (opts.grep !== undefined || opts.areas !== undefined) {
    session.results.filter = {
      ...(opts.grep !== undefined ? { grep: opts.grep } : {}),
      ...(opts.areas !== undefined ? { areas: opts.areas } : {}),
    };
  }
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
        const why = t.status === 'failed' ? (t.failure?.message ?? '') : t.status === 'skipped' ? `skipped: ${t.skip?.reason ?? ''}` : '';
        session.progress.log(`  ${mark} ${t.suitePath.join(' › ')} › ${t.title}${why ? `\n      ${why.split('\n')[0]}` : ''}`);
        session.progress.update(`${done} tests run`);
      },
    });
  } finally {
    setSuiteContext(undefined);
    const marked = applyKnownDeviations(session.results, opts.deviations ?? []);
    if (marked > 0)
      session.progress.log(
        `  ${marked} failure${marked === 1 ? '' : 's'} acknowledged as known deviation${marked === 1 ? '' : 's'} (known-deviations.yaml)`,
      );
    session.save();
  }
}
