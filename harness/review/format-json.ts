import type { ReviewResult } from './review';
import type { Severity } from './severity';
import { countBySeverity, failingFindings } from './summary';

/** Bumped when a field changes meaning or disappears; new fields may appear without a bump. */
export const REVIEW_JSON_VERSION = 1;

export function reviewJson(result: ReviewResult, failOn: Severity): string {
  const failing = failingFindings(result.findings, failOn);
  const doc = {
    version: REVIEW_JSON_VERSION,
    failOn,
    passed: failing.length === 0 && result.errors.length === 0,
    counts: countBySeverity(result.findings),
    filesReviewed: result.filesReviewed,
    resourcesReviewed: result.resourcesReviewed,
    findings: result.findings,
    suppressed: result.suppressed,
    errors: result.errors,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
