import { Pod } from 'kubernetes-models/v1/Pod';
import { unknownFieldsOf } from '../../k8s-manifests/support/kubernetes-schemas';
import { isObject } from '../../k8s-manifests/support/manifest';

/**
 * Checks of k6-operator TestRun manifests (k6.io/v1alpha1), written from the operator's API reference
 * (docs/crd-generated.md of grafana/k6-operator): the spec fields it defines, a script from a ConfigMap key that
 * exists, a pinned runner image, pod settings that are valid Kubernetes, settings the script reads, and in-cluster
 * addresses that name Services the deployment has.
 */
export interface ClusterView {
  namespace: string;
  /** ConfigMap name → its data. */
  configMaps: Map<string, Record<string, string>>;
  serviceAccounts: Set<string>;
  /** Service name → its ports. */
  services: Map<string, number[]>;
  /** App ids with a Dapr sidecar, each reachable at the `<app-id>-dapr` Service Dapr's operator creates. */
  daprApps: Set<string>;
}

export interface ScriptFacts {
  /** Environment variables the script reads. */
  settings: Set<string>;
  /** Why the script, with these settings, must run on one runner; undefined when it may be split. */
  singleRunner(env: Record<string, string>): string | undefined;
}

const SPEC_FIELDS = new Set([
  'script',
  'parallelism',
  'separate',
  'arguments',
  'args',
  'ports',
  'initializer',
  'starter',
  'runner',
  'quiet',
  'paused',
  'scuttle',
  'cleanup',
  'testRunId',
  'token',
]);
const RESERVED_FIELDS = ['testRunId', 'token'];
const POD_FIELDS = new Set([
  'disabled',
  'affinity',
  'automountServiceAccountToken',
  'env',
  'image',
  'imagePullSecrets',
  'imagePullPolicy',
  'metadata',
  'nodeSelector',
  'tolerations',
  'topologySpreadConstraints',
  'resources',
  'serviceAccountName',
  'securityContext',
  'containerSecurityContext',
  'envFrom',
  'readinessProbe',
  'livenessProbe',
  'initContainers',
  'volumes',
  'volumeMounts',
  'priorityClassName',
  'schedulerName',
]);
const BOOLEAN_STRINGS = ['true', 'false'];
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** The operator names Jobs `<name>-initializer`, `<name>-starter`, `<name>-<n>`: all must stay within 63. */
const MAX_NAME = 63 - '-initializer'.length;
const SIDECAR_PORTS = [3500, 50001, 50002, 9090];
const API_SERVER_HOSTS = ['kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

/** Every problem with one TestRun, each naming where it is. */
export function testRunProblems(where: string, doc: unknown, cluster: ClusterView, scripts: Map<string, ScriptFacts>): string[] {
  const problems: string[] = [];
  const say = (p: string): void => void problems.push(`${where}: ${p}`);
  if (!isObject(doc)) return [`${where}: not a YAML mapping`];
  if (doc.apiVersion !== 'k6.io/v1alpha1' || doc.kind !== 'TestRun')
    say(`is ${String(doc.apiVersion)} ${String(doc.kind)}, not k6.io/v1alpha1 TestRun`);
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (!DNS_LABEL.test(name) || name.length > MAX_NAME)
    say(`metadata.name '${name}' must be a DNS label of at most ${MAX_NAME} characters (the operator appends -initializer)`);
  if (meta.namespace !== cluster.namespace)
    say(`metadata.namespace is ${String(meta.namespace)}; the scripts' ConfigMap and the deployment are in ${cluster.namespace}`);

  const spec = isObject(doc.spec) ? doc.spec : {};
  for (const field of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(field)) say(`spec.${field} is not a TestRun field (known: ${[...SPEC_FIELDS].join(', ')})`);
    if (RESERVED_FIELDS.includes(field)) say(`spec.${field} is reserved for Grafana Cloud k6`);
  }
  if (!Number.isInteger(spec.parallelism) || (spec.parallelism as number) < 1)
    say(`spec.parallelism must be a whole number of at least 1, got ${JSON.stringify(spec.parallelism)}`);
  for (const flag of ['quiet', 'paused'])
    if (spec[flag] !== undefined && !BOOLEAN_STRINGS.includes(spec[flag] as string))
      say(`spec.${flag} must be the string "true" or "false"`);
  if (spec.cleanup !== undefined && spec.cleanup !== 'post') say(`spec.cleanup can only be "post"`);
  if (spec.arguments !== undefined && typeof spec.arguments !== 'string') say('spec.arguments must be one string of k6 arguments');

  const script = isObject(spec.script) ? spec.script : {};
  const configMap = isObject(script.configMap) ? script.configMap : undefined;
  const file = typeof configMap?.file === 'string' ? configMap.file : 'test.js';
  let facts: ScriptFacts | undefined;
  if (!configMap || Object.keys(script).length !== 1)
    say('spec.script must be a configMap (and only that): the scripts ship as the dapr-harness-k6-scripts ConfigMap');
  else {
    const data = cluster.configMaps.get(String(configMap.name));
    if (!data)
      say(
        `spec.script.configMap.name '${String(configMap.name)}' is no ConfigMap of k8s/load (there: ${[...cluster.configMaps.keys()].join(', ')})`,
      );
    else if (!(file in data))
      say(`spec.script.configMap.file '${file}' is no key of ConfigMap ${String(configMap.name)} (keys: ${Object.keys(data).join(', ')})`);
    facts = scripts.get(file);
    if (data && file in data && !facts) say(`no script facts for ${file}`);
  }

  const runner = isObject(spec.runner) ? spec.runner : undefined;
  if (!runner) say('spec.runner is missing: the runner needs at least the image and the targets');
  for (const role of ['runner', 'starter', 'initializer']) {
    const pod = spec[role];
    if (pod !== undefined) problems.push(...podProblems(`${where}: spec.${role}`, pod, cluster, role === 'runner'));
  }

  const env = runner && Array.isArray(runner.env) ? (runner.env as unknown[]).filter(isObject) : [];
  const plain: Record<string, string> = {};
  for (const e of env) {
    // A nameless entry is already refused by the Pod schema.
    if (typeof e.name !== 'string') continue;
    const envName = e.name;
    if (typeof e.value === 'string') plain[envName] = e.value;
    if (facts && !facts.settings.has(envName) && !envName.startsWith('K6_'))
      say(`runner env ${envName} is not a setting ${file} reads (it reads ${[...facts.settings].sort().join(', ')})`);
    if (typeof e.value === 'string')
      for (const url of e.value.match(/https?:\/\/[^\s,|]+/g) ?? [])
        problems.push(...addressProblems(`${where}: runner env ${envName}`, url, cluster));
  }
  const single = facts?.singleRunner(plain);
  if (single && spec.parallelism !== 1) say(`spec.parallelism must be 1 for ${file} with these settings: ${single}`);
  return problems;
}

function podProblems(where: string, pod: unknown, cluster: ClusterView, isRunner: boolean): string[] {
  if (!isObject(pod)) return [`${where} must be a mapping`];
  const problems: string[] = [];
  for (const field of Object.keys(pod))
    if (!POD_FIELDS.has(field)) problems.push(`${where}.${field} is not a field of a TestRun pod (known: ${[...POD_FIELDS].join(', ')})`);
  if (pod.automountServiceAccountToken !== undefined && !BOOLEAN_STRINGS.includes(pod.automountServiceAccountToken as string))
    problems.push(`${where}.automountServiceAccountToken must be the string "true" or "false"`);
  const image = pod.image;
  if (
    isRunner &&
    (typeof image !== 'string' ||
      !/^[^:@\s]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(image) ||
      !/[:@]/.test(image) ||
      /:latest$/.test(image))
  ) {
    problems.push(`${where}.image must name a pinned k6 image (e.g. grafana/k6:2.2.0), got ${JSON.stringify(image)}`);
  }
  const account = pod.serviceAccountName;
  if (account !== undefined && account !== 'default' && !cluster.serviceAccounts.has(String(account)))
    problems.push(`${where}.serviceAccountName ${String(account)} is no ServiceAccount of k8s/load`);
  // The pod-level parts are core Kubernetes types: validate them inside the Pod the operator builds from them.
  const synthesized = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'k6' },
    spec: {
      ...(pod.securityContext !== undefined ? { securityContext: pod.securityContext } : {}),
      ...(pod.serviceAccountName !== undefined ? { serviceAccountName: pod.serviceAccountName } : {}),
      containers: [
        {
          name: 'k6',
          image: typeof image === 'string' ? image : 'grafana/k6',
          ...(pod.env !== undefined ? { env: pod.env } : {}),
          ...(pod.envFrom !== undefined ? { envFrom: pod.envFrom } : {}),
          ...(pod.resources !== undefined ? { resources: pod.resources } : {}),
          ...(pod.containerSecurityContext !== undefined ? { securityContext: pod.containerSecurityContext } : {}),
        },
      ],
    },
  };
  try {
    new Pod(synthesized as never).validate();
  } catch (err) {
    const errors = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    for (const e of errors ?? [{ instancePath: '', message: (err as Error).message }])
      problems.push(`${where}: ${e.instancePath.replace('/spec/containers/0', '(container)')} ${e.message ?? ''}`.trim());
  }
  for (const u of unknownFieldsOf(synthesized.spec, 'V1PodSpec')) problems.push(`${where}: ${u.replace('containers[0].', '(container) ')}`);
  return problems;
}

/** An in-cluster address must be a Service the deployment has (or a Dapr sidecar's), in its namespace and port. */
function addressProblems(where: string, url: string, cluster: ClusterView): string[] {
  const u = new URL(url);
  if (API_SERVER_HOSTS.includes(u.hostname)) return [];
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(u.hostname);
  if (!m) return [`${where}: ${url} is not an in-cluster Service address (<service>.${cluster.namespace}.svc.cluster.local)`];
  const [, service = '', namespace] = m;
  if (namespace !== cluster.namespace) return [`${where}: ${url} is in namespace ${namespace}, the deployment is in ${cluster.namespace}`];
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  if (service.endsWith('-dapr') && cluster.daprApps.has(service.slice(0, -'-dapr'.length))) {
    return SIDECAR_PORTS.includes(port) ? [] : [`${where}: ${url}: a Dapr sidecar serves ${SIDECAR_PORTS.join(', ')}, not ${port}`];
  }
  const ports = cluster.services.get(service);
  if (!ports)
    return [
      `${where}: ${url}: no Service ${service} in k8s/ (Services: ${[...cluster.services.keys()].join(', ')}; sidecars: ${[...cluster.daprApps].map((a) => `${a}-dapr`).join(', ')})`,
    ];
  return ports.includes(port) ? [] : [`${where}: ${url}: Service ${service} serves port ${ports.join(', ')}, not ${port}`];
}

/** Differences between the scripts in the ConfigMap and their originals in load/k6. */
export function configMapDrift(data: Record<string, string>, originals: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of Object.entries(originals)) {
    if (!(file in data)) problems.push(`load/k6/${file} is not in the ConfigMap: list it in k8s/load/kustomization.yaml`);
    else if (data[file] !== text)
      problems.push(`the ConfigMap's ${file} differs from load/k6/${file}: list load/k6/${file} in k8s/load/kustomization.yaml`);
  }
  for (const file of Object.keys(data))
    if (!(file in originals)) problems.push(`the ConfigMap holds ${file}, which load/k6 does not have: remove it from k8s/load`);
  return problems;
}
