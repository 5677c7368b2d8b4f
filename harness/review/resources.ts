import type { SourceDocument } from './source-files';
import type { YamlNode } from './yaml-node';

/**
 * What a YAML document is, read the way Dapr and Kubernetes read it. Documents of any other kind (Kustomizations,
 * RBAC, other charts' values, TestRuns) are not reviewed.
 */
export type ResourceKind =
  | 'Component'
  | 'Configuration'
  | 'Resiliency'
  | 'Subscription'
  | 'HTTPEndpoint'
  | 'MultiAppRun'
  | 'DaprHelmValues'
  | 'Workload'
  | 'Service'
  | 'NetworkPolicy';

export interface Resource {
  kind: ResourceKind;
  /** metadata.name, the Multi-App Run's file name, or `dapr` for Helm values. */
  name: string;
  namespace: string | undefined;
  /** e.g. `Component/statestore`, `Deployment/sample-app`. */
  label: string;
  file: string;
  root: YamlNode;
  doc: SourceDocument;
}

const DAPR_KINDS = new Set(['Component', 'Configuration', 'Resiliency', 'Subscription', 'HTTPEndpoint']);
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
/** The Dapr chart's subcharts: a values file that configures one of them is the Dapr chart's. */
const DAPR_CHART_SECTIONS = [
  'dapr_operator',
  'dapr_sentry',
  'dapr_placement',
  'dapr_sidecar_injector',
  'dapr_scheduler',
  'dapr_dashboard',
  'dapr_rbac',
];

export function classify(doc: SourceDocument): Resource | undefined {
  const root = doc.root;
  if (!root.isMap) return undefined;
  const apiVersion = root.get('apiVersion')?.str() ?? '';
  const kind = root.get('kind')?.str() ?? '';
  const name = root.at('metadata', 'name')?.str() ?? '(unnamed)';
  const namespace = root.at('metadata', 'namespace')?.str();
  const make = (k: ResourceKind, n = name, label = `${kind}/${n}`): Resource => ({
    kind: k,
    name: n,
    namespace,
    label,
    file: doc.file,
    root,
    doc,
  });
  if (apiVersion.startsWith('dapr.io/') && DAPR_KINDS.has(kind)) return make(kind as ResourceKind);
  if (WORKLOAD_KINDS.has(kind) && (apiVersion === 'v1' || apiVersion.startsWith('apps/') || apiVersion.startsWith('batch/')))
    return make('Workload');
  if (kind === 'Service' && apiVersion === 'v1') return make('Service');
  if (kind === 'NetworkPolicy' && apiVersion.startsWith('networking.k8s.io/')) return make('NetworkPolicy');
  if (apiVersion || kind) return undefined;
  if (root.has('version') && root.get('apps')?.isSeq)
    return make('MultiAppRun', doc.file.split('/').pop() ?? doc.file, `Multi-App Run ${doc.file}`);
  const global = root.get('global');
  if (DAPR_CHART_SECTIONS.some((s) => root.has(s)) || global?.has('mtls') || global?.has('ha'))
    return make('DaprHelmValues', 'dapr', 'Helm values (dapr chart)');
  return undefined;
}

/** The pod template of a workload (the Pod itself for a Pod). */
export function podTemplate(workload: Resource): { metadata: YamlNode | undefined; spec: YamlNode | undefined } {
  const root = workload.root;
  const kind = root.get('kind')?.str();
  const template =
    kind === 'Pod' ? root : kind === 'CronJob' ? root.at('spec', 'jobTemplate', 'spec', 'template') : root.at('spec', 'template');
  return { metadata: template?.get('metadata'), spec: template?.get('spec') };
}

/** A workload's pod annotation, e.g. `dapr.io/app-token-secret`. */
export function annotation(workload: Resource, key: string): YamlNode | undefined {
  return podTemplate(workload).metadata?.at('annotations', key);
}

export function isDaprEnabled(workload: Resource): boolean {
  return annotation(workload, 'dapr.io/enabled')?.bool() === true;
}

export function podLabels(workload: Resource): Record<string, string> {
  const labels = podTemplate(workload).metadata?.get('labels');
  return Object.fromEntries((labels?.entries() ?? []).map(([k, v]) => [k, v.str() ?? '']));
}

export function containers(workload: Resource): YamlNode[] {
  const spec = podTemplate(workload).spec;
  return spec?.get('containers')?.items() ?? [];
}

/** Kubernetes objects without a namespace land in whatever namespace they are applied to (kustomize, -n). */
export function sameNamespace(a: Resource, b: Resource): boolean {
  return a.namespace === undefined || b.namespace === undefined || a.namespace === b.namespace;
}

/** Whether `selector` (matchLabels-style map) selects a pod carrying `labels`. An empty selector selects every pod. */
export function selects(selector: YamlNode | undefined, labels: Record<string, string>): boolean {
  const entries = selector?.entries() ?? [];
  return entries.every(([k, v]) => labels[k] === v.str());
}

/** The workload-side meaning of a document: its kind as the user wrote it, e.g. Deployment. */
export function writtenKind(r: Resource): string {
  return r.root.get('kind')?.str() ?? r.kind;
}
