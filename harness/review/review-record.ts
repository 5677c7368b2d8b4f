import type { SecurityReviewRecord } from '../results/results-model';
import { reviewPaths } from './review';

/** The review of `paths` as results.json carries it, so the run's report shows the findings beside the verdicts. */
export function securityReviewRecord(paths: string[]): SecurityReviewRecord {
  const r = reviewPaths(paths);
  return {
    paths,
    findings: r.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      file: f.file,
      line: f.line,
      message: f.message,
      fix: f.fix,
    })),
    suppressed: r.suppressed.map((s) => ({
      ruleId: s.finding.ruleId,
      severity: s.finding.severity,
      file: s.finding.file,
      line: s.finding.line,
      reason: s.reason,
    })),
    errors: r.errors,
  };
}
