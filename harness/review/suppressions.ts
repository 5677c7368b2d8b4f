import type { Finding, SuppressedFinding } from './finding';
import type { RuleInfo } from './rule';

/**
 * `# dapr-harness: ignore <rule-id> <reason>` silences one rule on one line: the line the comment ends, or, for a
 * comment on a line of its own, the next line that is not blank or a comment. The reason is required and is
 * reported with the suppressed finding, so a suppression is a recorded decision, not a hidden one.
 */
export interface SuppressionComment {
  file: string;
  /** Where the comment is written. */
  line: number;
  /** The line it applies to. */
  targetLine: number;
  ruleId: string;
  reason: string;
}

const MARKER = /(?:^|\s)#\s*dapr-harness:\s*ignore\b(.*)$/;

export function findSuppressions(file: string, text: string): SuppressionComment[] {
  const lines = text.split(/\r?\n/);
  const out: SuppressionComment[] = [];
  lines.forEach((raw, i) => {
    const m = MARKER.exec(raw);
    if (!m) return;
    const [ruleId = '', ...reason] = (m[1] ?? '').trim().split(/\s+/);
    const ownLine = raw.slice(0, m.index).trim() === '';
    let target = i;
    if (ownLine) {
      target = i + 1;
      while (target < lines.length && /^\s*(#.*)?$/.test(lines[target] ?? '')) target++;
    }
    out.push({ file, line: i + 1, targetLine: target + 1, ruleId, reason: reason.join(' ') });
  });
  return out;
}

/** Meta-rules about the comments themselves: a suppression that is malformed, or that silences nothing. */
export const SUPPRESSION_INVALID: RuleInfo = {
  id: 'suppression-invalid',
  family: 'suppressions',
  severity: 'low',
  title: 'a dapr-harness ignore comment names no known rule or gives no reason',
  why: 'such a comment suppresses nothing, and a suppression without a reason cannot be reviewed later',
  fix: 'write `# dapr-harness: ignore <rule-id> <why this is acceptable here>` above the reported line',
};

export const SUPPRESSION_UNUSED: RuleInfo = {
  id: 'suppression-unused',
  family: 'suppressions',
  severity: 'info',
  title: 'a dapr-harness ignore comment suppresses nothing on the line it applies to',
  why: 'a stale suppression would silently hide the same problem if it came back on that line',
  fix: 'remove the comment, or move it directly above the line the finding points at',
};

export function applySuppressions(
  findings: Finding[],
  comments: SuppressionComment[],
  knownRules: ReadonlySet<string>,
): { findings: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const used = new Set<SuppressionComment>();
  const valid = comments.filter((c) => knownRules.has(c.ruleId) && c.reason !== '');
  for (const f of findings) {
    const c = valid.find((s) => s.file === f.file && s.targetLine === f.line && s.ruleId === f.ruleId);
    if (c) {
      used.add(c);
      suppressed.push({ finding: f, reason: c.reason, commentLine: c.line });
    } else {
      kept.push(f);
    }
  }
  const meta = (info: RuleInfo, c: SuppressionComment, message: string): Finding => ({
    ruleId: info.id,
    severity: info.severity,
    file: c.file,
    line: c.line,
    column: 1,
    message,
    why: info.why,
    fix: info.fix,
  });
  for (const c of comments) {
    if (!knownRules.has(c.ruleId))
      kept.push(meta(SUPPRESSION_INVALID, c, `ignore comment names ${c.ruleId ? `unknown rule "${c.ruleId}"` : 'no rule'}`));
    else if (c.reason === '') kept.push(meta(SUPPRESSION_INVALID, c, `ignore comment for ${c.ruleId} gives no reason`));
    else if (!used.has(c))
      kept.push(meta(SUPPRESSION_UNUSED, c, `ignore comment for ${c.ruleId} matches no finding on line ${c.targetLine}`));
  }
  return { findings: kept, suppressed };
}
