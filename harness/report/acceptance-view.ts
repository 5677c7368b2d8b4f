import { formatDurationMs } from '../gate/measured-format';
import type { RunResults, TestResult } from '../results/results-model';
import {
  countOutcomes,
  countsLine,
  deviationText,
  outcomeOf,
  skipText,
  storyVerdict,
  testsByStory,
  type OutcomeCounts,
  type StoryVerdict,
} from '../results/test-outcome';
import { anchorFor } from './page-anchor';

export interface TestView {
  title: string;
  suite: string;
  /** passed · failed · skipped · known deviation */
  status: string;
  /** css class: the outcome */
  cls: string;
  failed: boolean;
  duration: string;
  tags: string;
  failure?: { message: string; stack?: string };
  /** Why it was skipped, or which deviation acknowledges its failure. */
  note?: string;
  measurements: { name: string; value: string }[];
}

export interface StoryView extends OutcomeCounts {
  story: string;
  anchor: string;
  verdict: StoryVerdict;
  /** css class of the verdict */
  cls: string;
  /** Stories with failures or skips start expanded. */
  open: boolean;
  tests: TestView[];
}

export interface AcceptanceView extends OutcomeCounts {
  /** Every test passed (acknowledged deviations aside) and nothing was skipped. */
  ok: boolean;
  /** The console's counts line, word for word. */
  line: string;
  stories: StoryView[];
}

const STORY = /^US(\d+)$/;
const RANK = { failed: 0, skipped: 1, deviation: 2, passed: 3 } as const;

/**
 * Tests grouped by user story (tags US1, US2, …), as the console summary groups them; a test without a story
 * goes under its outermost suite (platform, security, …). Stories come first in number order.
 */
export function acceptanceView(results: RunResults): AcceptanceView {
  const order = (a: string, b: string): number => {
    const [na, nb] = [STORY.exec(a)?.[1], STORY.exec(b)?.[1]];
    if (na !== undefined && nb !== undefined) return Number(na) - Number(nb);
    if (na !== undefined || nb !== undefined) return na !== undefined ? -1 : 1;
    return a.localeCompare(b);
  };
  const stories = [...testsByStory(results.tests).entries()]
    .sort(([a], [b]) => order(a, b))
    .map(([story, tests]): StoryView => {
      const counts = countOutcomes(tests);
      const verdict = storyVerdict(counts);
      return {
        story,
        anchor: anchorFor('story', story),
        ...counts,
        verdict,
        cls: verdict === 'pass' ? 'pass' : verdict === 'deviation' ? 'deviation' : verdict === 'FAIL' ? 'fail' : 'skip',
        open: counts.failed > 0 || counts.skipped > 0,
        tests: [...tests].sort((a, b) => RANK[outcomeOf(a)] - RANK[outcomeOf(b)]).map(testView),
      };
    });
  const counts = countOutcomes(results.tests);
  return { ...counts, ok: counts.failed === 0 && counts.skipped === 0 && counts.total > 0, line: countsLine(counts), stories };
}

function testView(t: TestResult): TestView {
  const outcome = outcomeOf(t);
  const note = outcome === 'skipped' ? `skipped (${skipText(t)})` : t.deviation ? deviationText(t) : undefined;
  return {
    title: t.title,
    suite: t.suitePath.join(' › '),
    status: outcome === 'deviation' ? 'known deviation' : outcome,
    cls: outcome,
    failed: outcome === 'failed',
    duration: formatDurationMs(t.durationMs),
    tags: t.tags.join(' '),
    failure: t.failure,
    note,
    measurements: Object.entries(t.measurements).map(([name, value]) => ({ name, value: String(value) })),
  };
}
