import { isObject, objectName, type Manifest } from './manifest';

/**
 * References between Dapr resources and apps that no schema sees: scopes and targets naming app ids that do not
 * exist, subscriptions on a pub/sub component that is not there, resiliency targets naming undefined policies,
 * access-control policies for another namespace. Dapr accepts all of these and then quietly does nothing.
 */
export function daprResourceChecks(manifests: Manifest[], knownServices: string[]): string[] {
  const issues: string[] = [];
  const dapr = manifests.filter((m) => m.apiVersion.startsWith('dapr.io/'));
  const components = dapr.filter((m) => m.kind === 'Component');
  const appIds = new Set(knownServices);
  const appIdIssue = (where: string, field: string, id: unknown): void => {
    if (typeof id !== 'string' || !appIds.has(id))
      issues.push(`${where}: ${field} names app id ${String(id)}, which is not a known service`);
  };

  for (const r of dapr) {
    const where = objectName(r);
    for (const scope of Array.isArray(r.scopes) ? r.scopes : []) appIdIssue(where, 'scopes', scope);
    const spec = isObject(r.spec) ? r.spec : {};

    if (r.kind === 'Subscription') {
      const pubsub = components.find((c) => c.metadata.name === spec.pubsubname && c.metadata.namespace === r.metadata.namespace);
      const type = pubsub && isObject(pubsub.spec) ? String(pubsub.spec.type) : undefined;
      if (!type?.startsWith('pubsub.'))
        issues.push(
          `${where}: pubsubname ${String(spec.pubsubname)} is not a pub/sub Component of namespace ${r.metadata.namespace ?? '(none)'}`,
        );
    }

    if (r.kind === 'Resiliency') {
      const policies = isObject(spec.policies) ? spec.policies : {};
      const defined = (kind: string): Set<string> => new Set(Object.keys(isObject(policies[kind]) ? policies[kind] : {}));
      const timeouts = defined('timeouts');
      const retries = defined('retries');
      const breakers = defined('circuitBreakers');
      const checkTarget = (path: string, target: unknown): void => {
        if (!isObject(target)) return;
        // A timeout may be a duration instead of a policy name.
        if (typeof target.timeout === 'string' && !timeouts.has(target.timeout) && !/^\d/.test(target.timeout))
          issues.push(`${where}: ${path}.timeout names no timeout policy (${target.timeout})`);
        if (typeof target.retry === 'string' && !retries.has(target.retry))
          issues.push(`${where}: ${path}.retry names no retry policy (${target.retry})`);
        if (typeof target.circuitBreaker === 'string' && !breakers.has(target.circuitBreaker))
          issues.push(`${where}: ${path}.circuitBreaker names no circuit breaker (${target.circuitBreaker})`);
      };
      const targets = isObject(spec.targets) ? spec.targets : {};
      for (const [app, target] of Object.entries(isObject(targets.apps) ? targets.apps : {})) {
        appIdIssue(where, `targets.apps.${app}`, app);
        checkTarget(`targets.apps.${app}`, target);
      }
      for (const [name, target] of Object.entries(isObject(targets.components) ? targets.components : {})) {
        if (!components.some((c) => c.metadata.name === name && c.metadata.namespace === r.metadata.namespace))
          issues.push(`${where}: targets.components.${name} is not a Component of the namespace`);
        if (isObject(target))
          for (const direction of ['inbound', 'outbound']) checkTarget(`targets.components.${name}.${direction}`, target[direction]);
      }
    }

    if (r.kind === 'Configuration') {
      const access = isObject(spec.accessControl) ? spec.accessControl : {};
      (Array.isArray(access.policies) ? access.policies : []).forEach((p, i) => {
        if (!isObject(p)) return;
        appIdIssue(where, `accessControl.policies[${i}].appId`, p.appId);
        if (p.namespace !== undefined && p.namespace !== r.metadata.namespace) {
          issues.push(
            `${where}: accessControl.policies[${i}] is for namespace ${String(p.namespace)}, but the apps run in ${r.metadata.namespace ?? '(none)'}; the policy would never match`,
          );
        }
      });
    }
  }
  return issues;
}
