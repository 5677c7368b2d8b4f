import type { Finding } from './finding';
import type { ReviewResult } from './review';
import type { RuleInfo } from './rule';
import type { Severity } from './severity';

/**
 * SARIF 2.1.0, as GitHub code scanning takes it: one run, the rule catalogue in tool.driver.rules, findings as
 * results (suppressed ones with an inSource suppression and its justification), unparsable files as tool
 * execution notifications. Locations are relative to the checkout (uriBaseId %SRCROOT%).
 */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};
/** GitHub maps security-severity scores to its own levels: ≥9 critical, ≥7 high, ≥4 medium, else low. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

export const SARIF_TOOL_NAME = 'dapr-harness-review';

function artifactLocation(file: string): { uri: string; uriBaseId?: string } {
  return file.startsWith('/') ? { uri: encodeURI(`file://${file}`) } : { uri: encodeURI(file), uriBaseId: '%SRCROOT%' };
}

function location(file: string, line: number, column: number): object {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(file),
      region: { startLine: Math.max(1, line), startColumn: Math.max(1, column) },
    },
  };
}

export function reviewSarif(result: ReviewResult, catalogue: readonly RuleInfo[]): object {
  const index = new Map(catalogue.map((r, i) => [r.id, i]));
  const toResult = (f: Finding, suppression?: { reason: string }): object => ({
    ruleId: f.ruleId,
    ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
    level: LEVEL[f.severity],
    message: { text: `${f.message}. Fix: ${f.fix}` },
    locations: [location(f.file, f.line, f.column)],
    properties: { severity: f.severity, ...(f.resource ? { resource: f.resource } : {}) },
    ...(suppression ? { suppressions: [{ kind: 'inSource', justification: suppression.reason }] } : {}),
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: SARIF_TOOL_NAME,
            rules: catalogue.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: `${r.title}: ${r.why}` },
              help: { text: `Why: ${r.why}\nFix: ${r.fix}`, markdown: `**Why:** ${r.why}\n\n**Fix:** ${r.fix}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: ['security', 'dapr', r.family],
                'security-severity': SECURITY_SEVERITY[r.severity],
                severity: r.severity,
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            toolExecutionNotifications: result.errors.map((e) => ({
              level: 'error',
              message: { text: `${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}` },
              locations: [location(e.file, e.line, 1)],
            })),
          },
        ],
        results: [...result.findings.map((f) => toResult(f)), ...result.suppressed.map((s) => toResult(s.finding, s))],
      },
    ],
  };
}
