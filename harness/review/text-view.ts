import type { ReviewResult } from './review';
import { SEVERITIES, type Severity } from './severity';
import { countBySeverity, failingFindings } from './summary';

/**
 * What the text output shows, decided here so the command only lays it out: one table per severity (location,
 * rule, what is wrong), then each rule's why and fix once, the suppressions with their reasons, and a verdict.
 */
export interface TextGroup {
  severity: Severity;
  heading: string;
  headers: string[];
  rows: string[][];
  /** `rule: why · fix`, once per rule in the group. */
  notes: string[];
}

export interface TextView {
  groups: TextGroup[];
  suppressed: string[];
  errors: string[];
  verdict: string;
}

export function reviewTextView(result: ReviewResult, failOn: Severity): TextView {
  const groups = SEVERITIES.flatMap((severity): TextGroup[] => {
    const findings = result.findings.filter((f) => f.severity === severity);
    if (findings.length === 0) return [];
    const notes = new Map<string, string>();
    for (const f of findings) if (!notes.has(f.ruleId)) notes.set(f.ruleId, `${f.ruleId}: ${f.why} · fix: ${f.fix}`);
    return [
      {
        severity,
        heading: `${severity.toUpperCase()} (${findings.length})`,
        headers: ['LOCATION', 'RULE', 'FINDING'],
        rows: findings.map((f) => [`${f.file}:${f.line}`, f.ruleId, f.message]),
        notes: [...notes.values()],
      },
    ];
  });
  const suppressed = result.suppressed.map(
    (s) => `${s.finding.file}:${s.finding.line} ${s.finding.ruleId} (${s.finding.severity}): ${s.reason}`,
  );
  const errors = result.errors.map((e) => `${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`);
  const counts = countBySeverity(result.findings);
  const tally = SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ');
  const failing = failingFindings(result.findings, failOn).length;
  const scope = `${result.filesReviewed} files, ${result.resourcesReviewed} resources`;
  const verdict =
    result.errors.length > 0
      ? `review INCOMPLETE: ${result.errors.length} file(s) could not be read (${scope} reviewed)`
      : failing > 0
        ? `review FAILED: ${failing} finding(s) at or above ${failOn} (${tally}; ${result.suppressed.length} suppressed; ${scope})`
        : `review PASSED at --fail-on ${failOn} (${tally}; ${result.suppressed.length} suppressed; ${scope})`;
  return { groups, suppressed, errors, verdict };
}
