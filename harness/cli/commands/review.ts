import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../../errors/harness-error';
import { reviewJson } from '../../review/format-json';
import { reviewSarif } from '../../review/format-sarif';
import { DEFAULT_REVIEW_PATHS, RULE_CATALOGUE, reviewPaths } from '../../review/review';
import { isSeverity, SEVERITIES, type Severity } from '../../review/severity';
import { failingFindings } from '../../review/summary';
import { reviewTextView } from '../../review/text-view';
import { REPO_ROOT } from '../../paths';
import { renderTable } from '../../console/table';

export const REVIEW_FORMATS = ['text', 'json', 'sarif'] as const;
export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

export interface ReviewOptions {
  /** Files or folders; empty reviews the reference deployment. */
  paths: string[];
  format?: string;
  failOn?: string;
  /** Write the report here instead of stdout. */
  output?: string;
  out?: { write(chunk: string): unknown };
}

/**
 * 0 when no finding is at or above --fail-on, 1 when one is; a file that cannot be read or parsed is a usage
 * error (exit 2) naming file and line, after the report (which lists it too) has been written.
 */
export async function reviewCommand(opts: ReviewOptions): Promise<number> {
  const format = (opts.format ?? 'text') as ReviewFormat;
  if (!REVIEW_FORMATS.includes(format))
    throw usageError('REVIEW_FORMAT', `unknown --format ${opts.format}`, `use one of ${REVIEW_FORMATS.join(', ')}`);
  const failOn = opts.failOn ?? 'high';
  if (!isSeverity(failOn)) throw usageError('REVIEW_FAIL_ON', `unknown --fail-on ${failOn}`, `use one of ${SEVERITIES.join(', ')}`);
  const paths = opts.paths.length > 0 ? opts.paths : DEFAULT_REVIEW_PATHS.map((p) => resolve(REPO_ROOT, p));
  const result = reviewPaths(paths);

  const report =
    format === 'json'
      ? reviewJson(result, failOn)
      : format === 'sarif'
        ? `${JSON.stringify(reviewSarif(result, RULE_CATALOGUE), null, 2)}\n`
        : renderText(result, failOn);
  if (opts.output) writeFileSync(opts.output, report);
  else (opts.out ?? process.stdout).write(report);

  const first = result.errors[0];
  if (first) {
    const where = `${first.file}${first.line > 0 ? `:${first.line}` : ''}`;
    const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more file(s))` : '';
    throw usageError(
      'REVIEW_UNREADABLE',
      `${where}: ${first.message}${more}`,
      'fix the file at that line (or leave it out of the paths); nothing was judged for it',
    );
  }
  return failingFindings(result.findings, failOn).length > 0 ? 1 : 0;
}

function renderText(result: ReturnType<typeof reviewPaths>, failOn: Severity): string {
  const view = reviewTextView(result, failOn);
  const parts: string[] = [];
  for (const g of view.groups) {
    parts.push(g.heading, renderTable(g.headers, g.rows), ...g.notes.map((n) => `  ${n}`), '');
  }
  if (view.suppressed.length > 0) parts.push(`SUPPRESSED (${view.suppressed.length})`, ...view.suppressed.map((s) => `  ${s}`), '');
  if (view.errors.length > 0) parts.push(`NOT REVIEWED (${view.errors.length})`, ...view.errors.map((e) => `  ${e}`), '');
  parts.push(view.verdict);
  return `${parts.join('\n')}\n`;
}
