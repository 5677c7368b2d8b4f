import type { RunResults, TestResult } from './results-model';

/**
 * One reading of a run's tests for every place that shows or judges them (console, report, junit, exit code,
 * gate), so they cannot disagree. A skip is never a pass; an acknowledged failure (a known deviation) is neither a
 * pass nor an unexplained failure, and is always shown apart.
 */
export type Outcome = 'passed' | 'failed' | 'skipped' | 'deviation';

export interface OutcomeCounts {
  passed: number;
  failed: number;
  skipped: number;
  deviations: number;
  total: number;
}

/** A story's verdict: `not run` when nothing in it ran, `incomplete` when something was skipped. */
export type StoryVerdict = 'pass' | 'FAIL' | 'not run' | 'incomplete' | 'deviation';

export function outcomeOf(t: TestResult): Outcome {
  if (t.status === 'failed') return t.deviation ? 'deviation' : 'failed';
  return t.status;
}

export function countOutcomes(tests: readonly TestResult[]): OutcomeCounts {
  const counts: OutcomeCounts = { passed: 0, failed: 0, skipped: 0, deviations: 0, total: tests.length };
  for (const t of tests) {
    const o = outcomeOf(t);
    if (o === 'deviation') counts.deviations++;
    else counts[o]++;
  }
  return counts;
}

export function storyVerdict(c: OutcomeCounts): StoryVerdict {
  if (c.failed > 0) return 'FAIL';
  if (c.passed + c.deviations === 0) return 'not run';
  if (c.skipped > 0) return 'incomplete';
  return c.deviations > 0 ? 'deviation' : 'pass';
}

/** The story a test belongs to: its first US tag, else its outermost suite (platform, security, …). */
export function storyOf(t: Pick<TestResult, 'tags' | 'suitePath'>): string {
  return t.tags.find((tag) => tag.startsWith('US')) ?? t.suitePath[0] ?? 'other';
}

export function testsByStory(tests: readonly TestResult[]): Map<string, TestResult[]> {
  const groups = new Map<string, TestResult[]>();
  for (const t of tests) groups.set(storyOf(t), [...(groups.get(storyOf(t)) ?? []), t]);
  return groups;
}

export interface RunOutcome {
  /** True only when everything asked for ran and passed (acknowledged deviations aside). */
  ok: boolean;
  counts: OutcomeCounts;
  /** Why the run is not ok, one phrase each, e.g. "3 skipped". */
  reasons: string[];
}

/**
 * The verdict of a suite run, which its exit code follows: any unacknowledged failure, any skip, a failed chaos
 * probe record that no failed or acknowledged test accounts for, a run-level error (a process that died, a setup that failed), an interrupted run, or a run in which no
 * test ran at all makes it fail.
 */
export function runOutcome(results: RunResults): RunOutcome {
  const counts = countOutcomes(results.tests);
  const reasons: string[] = [];
  if (counts.failed > 0) reasons.push(`${counts.failed} failed`);
  if (counts.skipped > 0) reasons.push(`${counts.skipped} skipped`);
  // A failed probe record belongs to a chaos test that failed (counted above) or was acknowledged as a known
  // deviation; one more failed record than such tests is a probe whose test did not assert its own record.
  const chaosTestsFailed = results.tests.filter((t) => t.area === 'chaos' && t.status === 'failed').length;
  const chaosUnasserted = Math.max(0, results.chaos.filter((c) => !c.passed).length - chaosTestsFailed);
  if (chaosUnasserted > 0) reasons.push(`${chaosUnasserted} chaos probe${chaosUnasserted === 1 ? '' : 's'} failed`);
  if (results.errors.length > 0) reasons.push(`${results.errors.length} run error${results.errors.length === 1 ? '' : 's'}`);
  if (results.partial) reasons.push('interrupted (partial)');
  if (counts.total === 0) reasons.push('no test ran');
  return { ok: reasons.length === 0, counts, reasons };
}

/** "37 passed · 0 failed · 3 skipped · 1 known deviation (41 tests)" — the same words wherever counts are shown. */
export function countsLine(c: OutcomeCounts): string {
  return `${c.passed} passed · ${c.failed} failed · ${c.skipped} skipped · ${c.deviations} known deviation${c.deviations === 1 ? '' : 's'} (${c.total} test${c.total === 1 ? '' : 's'})`;
}

/** Why a skipped test did not run, in the same words everywhere: "not-observable: the target cannot stop redis". */
export function skipText(t: TestResult): string {
  return t.skip ? `${t.skip.kind}: ${t.skip.reason}` : 'no reason recorded';
}

/** Which acknowledgement covers a failure: "known deviation of state.redis: no rollback (https://…)". */
export function deviationText(t: TestResult): string {
  const d = t.deviation;
  if (!d) return '';
  return `known deviation${d.component ? ` of ${d.component}` : ''}: ${d.reason}${d.link ? ` (${d.link})` : ''}`;
}
