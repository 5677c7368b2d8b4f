import type { Resource, ResourceKind } from './resources';
import type { Severity } from './severity';
import type { YamlNode } from './yaml-node';

/** What a rule is, independent of any file: the catalogue the docs, SARIF's rule list and the report show. */
export interface RuleInfo {
  /** Stable: suppression comments and CI baselines refer to it. */
  id: string;
  /** The module (family) it belongs to, e.g. `access-control`. */
  family: string;
  /** Default severity; a finding may be more or less severe when the rule says why. */
  severity: Severity;
  /** One line: what the rule looks for. */
  title: string;
  /** Why it matters. */
  why: string;
  /** How to fix it. */
  fix: string;
}

/** One thing a rule found: where, and what exactly is wrong there. */
export interface Hit {
  resource: Resource;
  /** The node the finding is about; the resource's `kind:` line when the problem is something missing. */
  at: YamlNode | undefined;
  message: string;
  severity?: Severity;
}

export interface ReviewContext {
  resources: Resource[];
  of(kind: ResourceKind): Resource[];
}

export interface Rule extends RuleInfo {
  check(ctx: ReviewContext): Hit[];
}

/** The line a finding about a missing setting points at: the resource's kind (or first) line. */
export function headOf(resource: Resource): YamlNode {
  return resource.root.get('kind') ?? resource.root;
}
