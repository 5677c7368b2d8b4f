import { renderTable } from '../cli/table';
import { storyOf } from '../suites/tags';
import type { RunResults } from './results-model';

/** Per story: how many tests passed, failed, were skipped; then every failure with its message. */
export function consoleSummary(results: RunResults): string {
  const byStory = new Map<string, { passed: number; failed: number; skipped: number }>();
  for (const t of results.tests) {
    const story = storyOf(t.tags, t.suitePath);
    const row = byStory.get(story) ?? { passed: 0, failed: 0, skipped: 0 };
    row[t.status]++;
    byStory.set(story, row);
  }
  const rows = [...byStory.entries()].map(([story, r]) => [story, String(r.passed), String(r.failed), String(r.skipped), r.failed > 0 ? 'FAIL' : 'pass']);
  const failures = results.tests.filter((t) => t.status === 'failed').map((t) => `  ✗ ${t.id}\n    ${(t.failure?.message ?? '').split('\n')[0]}`);
  const total = results.tests.length;
  const failed = results.tests.filter((t) => t.status === 'failed').length;
  return [
    renderTable(['STORY', 'PASSED', 'FAILED', 'SKIPPED', 'VERDICT'], rows),
    ...(failures.length ? ['', 'Failures:', ...failures] : []),
    '',
    `${results.partial ? 'PARTIAL run (interrupted) · ' : ''}${total - failed} of ${total} tests passed`,
  ].join('\n');
}
