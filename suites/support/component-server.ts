import { deployment } from '../../harness/suite-runner/suite-context';
import type { DependencyControl } from '../../harness/targets/deployment';

/**
 * The server behind a component that a probe may stop and start: the dependency that names the component, or,
 * where the target does not say which component a dependency serves, the one of the default kind.
 */
export function serverOf(component: string, defaultKind: string): DependencyControl | undefined {
  const deps = deployment().dependencies;
  return deps.find((d) => d.components?.includes(component)) ?? deps.find((d) => d.components === undefined && d.kind === defaultKind);
}
