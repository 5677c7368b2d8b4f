import { isObject, objectName, type Manifest } from './manifest';

/**
 * Checks the API server makes beyond the OpenAPI schema (its Go validation code), for the kinds the manifests
 * use: a manifest that passes the schema but breaks one of these is still refused by `kubectl apply`.
 */
export function apiServerRules(m: Manifest): string[] {
  const issues: string[] = [];
  const metaName = m.metadata?.name;
  // Services and Namespaces become DNS labels; other objects' names are DNS subdomains.
  const label = m.kind === 'Service' || m.kind === 'Namespace';
  if (typeof metaName !== 'string' || !(label ? DNS_LABEL : DNS_SUBDOMAIN).test(metaName) || metaName.length > (label ? 63 : 253)) {
    issues.push(`metadata.name: ${JSON.stringify(metaName)} is not a valid ${label ? 'DNS-1123 label' : 'DNS-1123 subdomain'} (lower case letters, digits and '-')`);
  }
  const spec = isObject(m.spec) ? m.spec : {};
  switch (m.kind) {
    case 'Deployment':
      issues.push(...selectorMatchesTemplate(spec), ...podRules(podSpecOf(spec), 'spec.template.spec'));
      break;
    case 'Job': {
      const pod = podSpecOf(spec);
      if (!['OnFailure', 'Never'].includes(String(pod?.restartPolicy))) issues.push('spec.template.spec.restartPolicy: a Job needs OnFailure or Never');
      issues.push(...podRules(pod, 'spec.template.spec'));
      break;
    }
    case 'HorizontalPodAutoscaler': {
      const min = spec.minReplicas ?? 1;
      const max = spec.maxReplicas;
      if (typeof min === 'number' && min < 1) issues.push(`spec.minReplicas: must be at least 1 (got ${min})`);
      if (typeof max === 'number' && typeof min === 'number' && max < min) issues.push(`spec.maxReplicas: must be greater than or equal to minReplicas (${max} < ${min})`);
      break;
    }
    case 'PodDisruptionBudget':
      if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) issues.push('spec: minAvailable and maxUnavailable cannot both be set');
      break;
    case 'Service':
      issues.push(...uniqueNames(spec.ports, 'spec.ports'));
      break;
  }
  return issues.map((i) => `${objectName(m)}: ${i}`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function podSpecOf(spec: Record<string, unknown>): Record<string, unknown> | undefined {
  const template = spec.template;
  return isObject(template) && isObject(template.spec) ? template.spec : undefined;
}

function selectorMatchesTemplate(spec: Record<string, unknown>): string[] {
  const selector = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  const template = isObject(spec.template) && isObject(spec.template.metadata) ? spec.template.metadata : {};
  const labels = isObject(template.labels) ? template.labels : {};
  const missing = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
  return missing.length > 0 ? [`spec.template.metadata.labels: \`selector\` does not match template \`labels\` (${missing.map(([k, v]) => `${k}=${String(v)}`).join(', ')})`] : [];
}

function podRules(pod: Record<string, unknown> | undefined, path: string): string[] {
  if (!pod) return [];
  const issues = uniqueNames(pod.containers, `${path}.containers`);
  issues.push(...uniqueNames(pod.volumes, `${path}.volumes`));
  const volumes = new Set((Array.isArray(pod.volumes) ? pod.volumes : []).map((v) => (isObject(v) ? v.name : undefined)));
  (Array.isArray(pod.containers) ? pod.containers : []).forEach((c, i) => {
    if (!isObject(c)) return;
    issues.push(...uniqueNames(c.ports, `${path}.containers[${i}].ports`));
    for (const port of Array.isArray(c.ports) ? c.ports : []) {
      if (isObject(port) && typeof port.name === 'string' && (port.name.length > 15 || !/^[a-z0-9-]*[a-z][a-z0-9-]*$/.test(port.name))) {
        issues.push(`${path}.containers[${i}].ports: name ${JSON.stringify(port.name)} must be an IANA service name (at most 15 lower case characters)`);
      }
    }
    for (const mount of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) {
      if (isObject(mount) && !volumes.has(mount.name)) issues.push(`${path}.containers[${i}].volumeMounts: ${JSON.stringify(mount.name)} is not a volume of the pod`);
    }
  });
  return issues;
}

function uniqueNames(list: unknown, path: string): string[] {
  if (!Array.isArray(list)) return [];
  const seen = new Set<unknown>();
  const issues: string[] = [];
  for (const item of list) {
    const n = isObject(item) ? item.name : undefined;
    if (n === undefined) continue;
    if (seen.has(n)) issues.push(`${path}: duplicate name ${JSON.stringify(n)}`);
    seen.add(n);
  }
  return issues;
}
