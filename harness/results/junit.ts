import type { RunResults, TestResult } from './results-model';
import { countOutcomes, deviationText, outcomeOf, skipText } from './test-outcome';

const xml = (s: string): string =>
  s
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string)
    // XML 1.0 cannot carry most control characters, even escaped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

/**
 * JUnit XML from results.json, one <testsuite> per top-level suite, for CI systems that read it. Counts follow the
 * same outcomes as the console and the exit code: a skip carries its reason; a known deviation (an acknowledged
 * failure) is not counted as a failure, and says so in a property and in system-out with the original failure.
 */
export function junitXml(results: RunResults): string {
  const suites = new Map<string, TestResult[]>();
  for (const t of results.tests) {
    const name = t.suitePath[0] ?? results.kind;
    suites.set(name, [...(suites.get(name) ?? []), t]);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const { failed: failures, skipped } = countOutcomes(results.tests);
  const total = (ts: TestResult[]): string => (ts.reduce((s, t) => s + t.durationMs, 0) / 1000).toFixed(3);
  out.push(
    `<testsuites name="dapr-harness ${xml(results.kind)}" tests="${results.tests.length}" failures="${failures}" skipped="${skipped}" time="${total(results.tests)}">`,
  );
  for (const [name, tests] of suites) {
    const { failed: f, skipped: s } = countOutcomes(tests);
    out.push(
      `  <testsuite name="${xml(name)}" tests="${tests.length}" failures="${f}" skipped="${s}" time="${total(tests)}" timestamp="${xml(results.startedAt)}">`,
    );
    for (const t of tests) {
      const attrs = `classname="${xml(t.suitePath.join(' / '))}" name="${xml(t.title)}" time="${(t.durationMs / 1000).toFixed(3)}"`;
      const outcome = outcomeOf(t);
      if (outcome === 'passed') out.push(`    <testcase ${attrs}/>`);
      else if (outcome === 'skipped') out.push(`    <testcase ${attrs}><skipped message="${xml(skipText(t))}"/></testcase>`);
      else if (outcome === 'deviation') {
        const text = `${deviationText(t)}\nfailure: ${t.failure?.message ?? ''}`;
        out.push(
          `    <testcase ${attrs}><properties><property name="dapr-harness.outcome" value="known-deviation"/></properties><system-out>${xml(text)}</system-out></testcase>`,
        );
      } else
        out.push(
          `    <testcase ${attrs}><failure message="${xml(t.failure?.message ?? 'failed')}">${xml(t.failure?.stack ?? '')}</failure></testcase>`,
        );
    }
    out.push('  </testsuite>');
  }
  if (results.partial) out.push('  <!-- partial run: interrupted before it finished -->');
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
