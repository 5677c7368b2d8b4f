/**
 * Something about a Resiliency spec that loads but does not do what it seems to say: a policy that applies to
 * nothing, a value daprd reinterprets, a target that shadows defaults. Findings go into reports; they never fail a
 * run on their own.
 */
export type FindingSeverity = 'warning' | 'info';

export interface ResiliencyFinding {
  code: string;
  severity: FindingSeverity;
  message: string;
  /** Where it was written: the document's source (file path or resource name). */
  document?: string;
  /** Dotted path of the field inside the document, e.g. spec.targets.apps.appB.retry. */
  field?: string;
  /** The sidecar (app id) whose view of the policies this is about, where that matters. */
  sidecar?: string;
}

export function formatFinding(finding: ResiliencyFinding): string {
  const where = [finding.document, finding.field].filter(Boolean).join(': ');
  return `${finding.severity} ${finding.code}${where ? ` (${where})` : ''}${finding.sidecar ? ` [sidecar ${finding.sidecar}]` : ''}: ${finding.message}`;
}
