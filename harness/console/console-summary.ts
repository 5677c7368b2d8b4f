import { renderTable } from './table';
import type { RunResults } from '../results/results-model';
import { countOutcomes, countsLine, deviationText, runOutcome, skipText, storyVerdict, testsByStory } from '../results/test-outcome';

/**
 * Per story: passed, failed, skipped and known deviations with the story's verdict; then every failure, every
 * skip with its reason and every acknowledged deviation; last the run's verdict, which its exit code follows.
 */
export function consoleSummary(results: RunResults): string {
  const rows = [...testsByStory(results.tests).entries()].map(([story, tests]) => {
    const c = countOutcomes(tests);
    return [story, String(c.passed), String(c.failed), String(c.skipped), String(c.deviations), storyVerdict(c)];
  });
  const firstLine = (s: string | undefined): string => (s ?? '').split('\n')[0] ?? '';
  const failures = results.tests
    .filter((t) => t.status === 'failed' && !t.deviation)
    .map((t) => `  ✗ ${t.id}\n    ${firstLine(t.failure?.message)}`);
  const skips = results.tests.filter((t) => t.status === 'skipped').map((t) => `  - ${t.id}\n    ${skipText(t)}`);
  const deviations = results.tests.filter((t) => t.deviation).map((t) => `  ≈ ${t.id}\n    ${deviationText(t)}`);
  const errors = results.errors.map((e) => `  ! ${e.code}: ${firstLine(e.message)}`);
  const outcome = runOutcome(results);
  return [
    renderTable(['STORY', 'PASSED', 'FAILED', 'SKIPPED', 'DEVIATION', 'VERDICT'], rows),
    ...(failures.length ? ['', 'Failures:', ...failures] : []),
    ...(skips.length ? ['', 'Skipped (a skip is not a pass):', ...skips] : []),
    ...(deviations.length ? ['', 'Known deviations (acknowledged failures, known-deviations.yaml):', ...deviations] : []),
    ...(errors.length ? ['', 'Run errors:', ...errors] : []),
    '',
    countsLine(outcome.counts),
    outcome.ok ? 'verdict: PASS' : `verdict: FAIL (${outcome.reasons.join(', ')})`,
  ].join('\n');
}
