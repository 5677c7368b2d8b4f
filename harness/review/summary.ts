import type { Finding } from './finding';
import { atOrAbove, SEVERITIES, type Severity } from './severity';

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The `--fail-on` contract: the review fails when any finding is at or above the threshold. */
export function failingFindings(findings: Finding[], failOn: Severity): Finding[] {
  return findings.filter((f) => atOrAbove(f.severity, failOn));
}
