import { formatDurationMs } from '../gate/measured-format';
import type { RunResults, TestResult } from '../results/results-model';
import { storyOf } from '../suites/tags';
import { anchorFor } from './page-anchor';

export interface TestView {
  title: string;
  suite: string;
  status: string;
  failed: boolean;
  duration: string;
  tags: string;
  failure?: { message: string; stack?: string };
  measurements: { name: string; value: string }[];
}

export interface StoryView {
  story: string;
  anchor: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Stories with failures start expanded. */
  open: boolean;
  tests: TestView[];
}

export interface AcceptanceView {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  stories: StoryView[];
}

const STORY = /^US(\d+)$/;

/**
 * Tests grouped by user story (tags US1, US2, …), as the console summary groups them; a test without a story
 * goes under its outermost suite (platform, security, …). Stories come first in number order.
 */
export function acceptanceView(results: RunResults): AcceptanceView {
  const groups = new Map<string, TestResult[]>();
  for (const t of results.tests) {
    const story = storyOf(t.tags, t.suitePath);
    groups.set(story, [...(groups.get(story) ?? []), t]);
  }
  const order = (a: string, b: string): number => {
    const [na, nb] = [STORY.exec(a)?.[1], STORY.exec(b)?.[1]];
    if (na !== undefined && nb !== undefined) return Number(na) - Number(nb);
    if (na !== undefined || nb !== undefined) return na !== undefined ? -1 : 1;
    return a.localeCompare(b);
  };
  const stories = [...groups.entries()]
    .sort(([a], [b]) => order(a, b))
    .map(([story, tests]): StoryView => {
      const count = (status: string): number => tests.filter((t) => t.status === status).length;
      return {
        story,
        anchor: anchorFor('story', story),
        passed: count('passed'),
        failed: count('failed'),
        skipped: count('skipped'),
        open: count('failed') > 0,
        tests: [...tests].sort((a, b) => Number(b.status === 'failed') - Number(a.status === 'failed')).map(testView),
      };
    });
  const count = (status: string): number => results.tests.filter((t) => t.status === status).length;
  return { total: results.tests.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped'), stories };
}

function testView(t: TestResult): TestView {
  return {
    title: t.title,
    suite: t.suitePath.join(' › '),
    status: t.status,
    failed: t.status === 'failed',
    duration: formatDurationMs(t.durationMs),
    tags: t.tags.join(' '),
    failure: t.failure,
    measurements: Object.entries(t.measurements).map(([name, value]) => ({ name, value: String(value) })),
  };
}
