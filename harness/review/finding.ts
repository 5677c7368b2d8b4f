import type { Severity } from './severity';

/**
 * One finding of the review: JSON-serialisable, so the report and CI read it without the engine.
 * Paths are as the user passed them, relative to the working directory where possible, with forward slashes.
 */
export interface Finding {
  ruleId: string;
  severity: Severity;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** e.g. `Deployment/sample-app`; absent for findings about the file itself. */
  resource?: string;
  /** What is wrong, at this place. */
  message: string;
  why: string;
  fix: string;
}

/** A finding a `# dapr-harness: ignore <rule> <reason>` comment silenced, and the reason given. */
export interface SuppressedFinding {
  finding: Finding;
  reason: string;
  /** The line of the comment. */
  commentLine: number;
}
