import type { Finding, SuppressedFinding } from './finding';
import { classify, type Resource, type ResourceKind } from './resources';
import type { ReviewContext, Rule, RuleInfo } from './rule';
import { RULES } from './rules/index';
import { severityRank } from './severity';
import { collectYamlFiles, isReviewError, readSourceFile, type ReviewError, type SourceFile } from './source-files';
import { applySuppressions, findSuppressions, SUPPRESSION_INVALID, SUPPRESSION_UNUSED } from './suppressions';

export type { Finding, SuppressedFinding } from './finding';
export type { ReviewError } from './source-files';

/** The reference deployment's files: what `npm run review` reads when given no paths. */
export const DEFAULT_REVIEW_PATHS = ['dapr-components/', 'k8s/', 'system-under-test/dapr.yaml'];

/** Every rule id a finding can carry, with its description: the review's own rules and the meta-rules on comments. */
export const RULE_CATALOGUE: readonly RuleInfo[] = [...RULES, SUPPRESSION_INVALID, SUPPRESSION_UNUSED];

export interface ReviewResult {
  findings: Finding[];
  suppressed: SuppressedFinding[];
  /** Files that could not be read or parsed; a review with errors has not looked at everything it was given. */
  errors: ReviewError[];
  /** How many files and Dapr/Kubernetes resources were read. */
  filesReviewed: number;
  resourcesReviewed: number;
}

export function reviewSources(sources: SourceFile[], rules: readonly Rule[] = RULES): Omit<ReviewResult, 'errors'> {
  const resources: Resource[] = sources.flatMap((s) => s.documents.map(classify).filter((r): r is Resource => r !== undefined));
  const ctx: ReviewContext = { resources, of: (kind: ResourceKind) => resources.filter((r) => r.kind === kind) };
  const raw: Finding[] = rules.flatMap((rule) =>
    rule.check(ctx).map((hit): Finding => {
      const at = hit.at ?? hit.resource.root;
      return {
        ruleId: rule.id,
        severity: hit.severity ?? rule.severity,
        file: hit.resource.file,
        line: at.line,
        column: at.column,
        resource: hit.resource.label,
        message: hit.message,
        why: rule.why,
        fix: rule.fix,
      };
    }),
  );
  const comments = sources.flatMap((s) => findSuppressions(s.file, s.text));
  const { findings, suppressed } = applySuppressions(raw, comments, new Set(rules.map((r) => r.id)));
  return { findings: sortFindings(findings), suppressed, filesReviewed: sources.length, resourcesReviewed: resources.length };
}

/** Most severe first, then by place, so output is stable between runs. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

/**
 * Reviews the YAML files under `paths`. Never throws for bad input: unreadable or unparsable files come back in
 * `errors` (file and line), so callers such as the HTML report can show them beside the findings.
 */
export function reviewPaths(paths: string[]): ReviewResult {
  const { files, errors } = collectYamlFiles(paths);
  const sources: SourceFile[] = [];
  for (const f of files) {
    const parsed = readSourceFile(f);
    if (isReviewError(parsed)) errors.push(parsed);
    else sources.push(parsed);
  }
  return { ...reviewSources(sources), errors };
}
