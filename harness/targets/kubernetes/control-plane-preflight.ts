import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { runtimeError } from '../../errors/harness-error';
import { apiErrorMessage, isNotFound } from './api-errors';
import type { ClusterConnection } from './cluster-connection';

export type WorkloadKind = 'Deployment' | 'StatefulSet';

/** What `dapr status -k` lists: the control plane's workloads, by the names Dapr's Helm chart gives them. */
export const DAPR_CONTROL_PLANE: readonly { name: string; kind: WorkloadKind }[] = [
  { name: 'dapr-operator', kind: 'Deployment' },
  { name: 'dapr-sentry', kind: 'Deployment' },
  { name: 'dapr-placement-server', kind: 'StatefulSet' },
  { name: 'dapr-scheduler-server', kind: 'StatefulSet' },
  { name: 'dapr-sidecar-injector', kind: 'Deployment' },
];

export const DAPR_CRDS: readonly string[] = [
  'components.dapr.io',
  'configurations.dapr.io',
  'resiliencies.dapr.io',
  'subscriptions.dapr.io',
  'httpendpoints.dapr.io',
];

export const DEFAULT_CONTROL_PLANE_NAMESPACE = 'dapr-system';

export interface ControlPlaneWorkload {
  name: string;
  kind: WorkloadKind;
  namespace: string;
  found: boolean;
  healthy: boolean;
  desired: number;
  ready: number;
  available: number;
  /** Image tag of the workload's own container, e.g. 1.18.2. */
  version?: string;
  /** Why it is not healthy. */
  problem?: string;
}

export interface CrdState {
  name: string;
  installed: boolean;
  established: boolean;
  /** Served versions, e.g. v1alpha1. */
  versions: string[];
}

export interface PreflightReport {
  controlPlaneNamespace: string;
  serverVersion: string;
  workloads: ControlPlaneWorkload[];
  crds: CrdState[];
  /** The version most control-plane workloads run, when any reports one. */
  daprVersion?: string;
  /** Each names what is missing or unhealthy; empty when the control plane is fine. */
  problems: string[];
  /** Worth a look, not a failure (e.g. control-plane workloads on different versions). */
  warnings: string[];
}

/** Like `dapr status -k`, plus the CRDs: reads every workload and CRD and reports all that is wrong, not just the first. */
export async function checkControlPlane(conn: ClusterConnection, namespace = DEFAULT_CONTROL_PLANE_NAMESPACE): Promise<PreflightReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  let namespaceExists = true;
  try {
    await conn.core.readNamespace({ name: namespace });
  } catch (err) {
    if (!isNotFound(err)) throw readFailed(`namespace ${namespace}`, err);
    namespaceExists = false;
    problems.push(`namespace ${namespace} does not exist: the Dapr control plane is not installed there`);
  }
  const workloads = namespaceExists ? await Promise.all(DAPR_CONTROL_PLANE.map((w) => readWorkload(conn, namespace, w.name, w.kind))) : [];
  for (const w of workloads) if (w.problem) problems.push(w.problem);

  const crds = await Promise.all(DAPR_CRDS.map((name) => readCrd(conn, name)));
  for (const c of crds) {
    if (!c.installed) problems.push(`CRD ${c.name} is not installed`);
    else if (!c.established) problems.push(`CRD ${c.name} is installed but not Established`);
  }

  const versions = [...new Set(workloads.map((w) => w.version).filter((v): v is string => Boolean(v)))];
  if (versions.length > 1)
    warnings.push(
      `control-plane workloads run different versions: ${workloads
        .filter((w) => w.version)
        .map((w) => `${w.name} ${w.version}`)
        .join(', ')}`,
    );
  const daprVersion = mostCommon(workloads.map((w) => w.version).filter((v): v is string => Boolean(v)));
  return {
    controlPlaneNamespace: namespace,
    serverVersion: conn.serverVersion,
    workloads,
    crds,
    problems,
    warnings,
    ...(daprVersion ? { daprVersion } : {}),
  };
}

/** Throws one error naming every problem the report found. */
export function assertControlPlane(report: PreflightReport): void {
  if (report.problems.length === 0) return;
  throw runtimeError(
    'DAPR_PREFLIGHT_FAILED',
    `the Dapr control plane is not ready: ${report.problems.join('; ')}`,
    `install or repair Dapr (helm upgrade --install dapr dapr/dapr -n ${report.controlPlaneNamespace}, see docs/runbooks/dapr-upgrade.md), then check with \`dapr status -k\``,
  );
}

async function readWorkload(conn: ClusterConnection, namespace: string, name: string, kind: WorkloadKind): Promise<ControlPlaneWorkload> {
  const where = `${name} (${kind} in ${namespace})`;
  let obj: V1Deployment | V1StatefulSet;
  try {
    obj =
      kind === 'Deployment'
        ? await conn.apps.readNamespacedDeployment({ name, namespace })
        : await conn.apps.readNamespacedStatefulSet({ name, namespace });
  } catch (err) {
    if (!isNotFound(err)) throw readFailed(where, err);
    return { name, kind, namespace, found: false, healthy: false, desired: 0, ready: 0, available: 0, problem: `${where} does not exist` };
  }
  const desired = obj.spec?.replicas ?? 1;
  const ready = obj.status?.readyReplicas ?? 0;
  const available = obj.status?.availableReplicas ?? 0;
  const version = workloadVersion(obj, name);
  const base = { name, kind, namespace, found: true, desired, ready, available, ...(version ? { version } : {}) };
  const stale = (obj.status?.observedGeneration ?? 0) < (obj.metadata?.generation ?? 0);
  let problem: string | undefined;
  if (desired === 0) problem = `${where} is scaled to 0 replicas`;
  else if (stale) problem = `${where}: its controller has not yet observed generation ${obj.metadata?.generation} (status is stale)`;
  else if (available < desired)
    problem = `${where}: ${available} of ${desired} replicas available${ready !== available ? ` (${ready} ready)` : ''}`;
  else if (kind === 'Deployment' && conditionIs(obj as V1Deployment, 'Available', 'False'))
    problem = `${where}: condition Available is False`;
  return { ...base, healthy: !problem, ...(problem ? { problem } : {}) };
}

async function readCrd(conn: ClusterConnection, name: string): Promise<CrdState> {
  try {
    const crd = await conn.apiextensions.readCustomResourceDefinition({ name });
    const established = (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    return { name, installed: true, established, versions: crd.spec.versions.filter((v) => v.served).map((v) => v.name) };
  } catch (err) {
    if (!isNotFound(err)) throw readFailed(`CRD ${name}`, err);
    return { name, installed: false, established: false, versions: [] };
  }
}

/** The tag of the container named like the workload (Dapr's chart does so), else of the first container. */
export function workloadVersion(obj: V1Deployment | V1StatefulSet, name: string): string | undefined {
  const containers = obj.spec?.template.spec?.containers ?? [];
  const image = (containers.find((c) => c.name === name) ?? containers[0])?.image;
  return image ? imageTag(image) : undefined;
}

export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(colon + 1) : undefined;
}

function conditionIs(obj: V1Deployment, type: string, status: string): boolean {
  return (obj.status?.conditions ?? []).some((c) => c.type === type && c.status === status);
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export function readFailed(what: string, err: unknown): Error {
  return runtimeError(
    'CLUSTER_READ_FAILED',
    `could not read ${what}: ${apiErrorMessage(err)}`,
    'the kubeconfig user needs read access (get/list) to it; check with `kubectl auth can-i --list`',
  );
}
