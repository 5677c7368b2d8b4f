import { gateCommand } from '../../gate/gate-command';
import { loadCriteria } from '../../gate/criteria-file';
import { consoleSummary } from '../../console/console-summary';
import { withSession } from '../../session/run-session';
import { parseTargetOptions } from '../../session/target-options';
import { ACCEPTANCE_AREAS, suiteFiles } from '../../suite-runner/suite-files';
import { SCENARIOS } from '../../../load/scenarios';
import { ensureRuntime, knownDeviationsFor, runSuitesInSession, type AcceptanceOptions } from './acceptance';
import { join, resolve } from 'node:path';
import { REPORTS_DIR } from '../../paths';
import { DEFAULT_REVIEW_PATHS } from '../../review/review';
import { securityReviewRecord } from '../../review/review-record';
import { REPO_ROOT } from '../../paths';
import { loadSettings, runScenariosInSession, type LoadOptions } from './load';

export interface AllOptions extends AcceptanceOptions, LoadOptions {
  criteria: string;
}

/**
 * Everything against one deployment in one run: acceptance, chaos, then load; then the gate against the
 * criteria. Exit code: the gate's.
 */
export async function allCommand(opts: AllOptions): Promise<number> {
  const target = parseTargetOptions(opts);
  loadCriteria(opts.criteria);
  const settings = loadSettings(opts);
  const deviations = knownDeviationsFor(opts);
  await ensureRuntime(opts);
  const results = await withSession(
    { kind: 'all', target, out: opts.out, keepUp: opts.keepUp, criteria: opts.criteria },
    async (session) => {
      // The reference deployment's own files, reviewed before they are exercised; the report shows the findings.
      session.results.securityReview = securityReviewRecord(DEFAULT_REVIEW_PATHS.map((p) => join(REPO_ROOT, p)));
      session.save();
      await runSuitesInSession(session, suiteFiles([...ACCEPTANCE_AREAS, 'chaos']), { ...opts, deviations });
      if (!session.signal.aborted) await runScenariosInSession(session, SCENARIOS, settings);
    },
  );
  process.stdout.write(`\n${consoleSummary(results)}\n\n`);
  // Absolute, so the gate finds the run whatever directory the command was started from.
  return gateCommand({ criteria: opts.criteria, results: opts.out ? resolve(opts.out) : join(REPORTS_DIR, 'runs', results.runId) });
}
