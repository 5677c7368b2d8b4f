import type { V1Container, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { runtimeError } from '../../errors/harness-error';
import type { ClusterConnection } from './cluster-connection';
import { readFailed } from './control-plane-preflight';
import { labelSelectorString } from './label-selector';

export const DAPR_ENABLED = 'dapr.io/enabled';
export const DAPR_APP_ID = 'dapr.io/app-id';
export const DAPR_APP_PORT = 'dapr.io/app-port';
export const DAPR_METRICS_PORT = 'dapr.io/metrics-port';
/** The secrets (key `token`) whose values daprd requires from callers, and presents to its app. */
export const DAPR_API_TOKEN_SECRET = 'dapr.io/api-token-secret';
export const DAPR_APP_TOKEN_SECRET = 'dapr.io/app-token-secret';
export const DAPRD_CONTAINER = 'daprd';

/** Ports the injector gives daprd unless annotations say otherwise. */
export const DAPRD_DEFAULT_PORTS = { http: 3500, grpc: 50001, internal: 50002, metrics: 9090 } as const;

export interface DaprdPorts {
  http: number;
  grpc: number;
  internal: number;
  metrics: number;
}

export interface InjectedPod {
  name: string;
  ready: boolean;
  podIP?: string;
  nodeName?: string;
  hasDaprd: boolean;
  /** The app id daprd was started with (its --app-id argument), where it has one. */
  daprdAppId?: string;
  ports: DaprdPorts;
}

export interface DaprApp {
  appId: string;
  deployment: string;
  namespace: string;
  desiredReplicas: number;
  appPort?: number;
  /** The secret named by dapr.io/api-token-secret, when the pods' sidecars require a token. */
  apiTokenSecret?: string;
  /** The secret named by dapr.io/app-token-secret, when daprd presents a token to the app. */
  appTokenSecret?: string;
  pods: InjectedPod[];
}

export interface InjectionReport {
  namespace: string;
  apps: DaprApp[];
  /** Each names the Deployment and pod at fault; empty when every Dapr app has ready, injected pods. */
  problems: string[];
}

/**
 * Every Deployment whose pod template says dapr.io/enabled: "true" must have ready pods with a daprd container
 * started for the app id of its annotation: that is what the sidecar injector's work looks like from outside.
 */
export async function checkInjection(conn: ClusterConnection, namespace: string): Promise<InjectionReport> {
  let deployments: V1Deployment[];
  try {
    deployments = (await conn.apps.listNamespacedDeployment({ namespace })).items;
  } catch (err) {
    throw readFailed(`the Deployments in namespace ${namespace}`, err);
  }
  const enabled = deployments.filter((d) => d.spec?.template.metadata?.annotations?.[DAPR_ENABLED] === 'true');
  const problems: string[] = [];
  if (enabled.length === 0) {
    problems.push(`no Deployment in namespace ${namespace} has a pod template annotated ${DAPR_ENABLED}: "true"`);
  }
  const apps: DaprApp[] = [];
  for (const d of enabled) {
    const name = d.metadata?.name ?? '?';
    const annotations = d.spec?.template.metadata?.annotations ?? {};
    const appId = annotations[DAPR_APP_ID];
    const where = `Deployment ${namespace}/${name}`;
    if (!appId) {
      problems.push(`${where} is Dapr-enabled but has no ${DAPR_APP_ID} annotation (each pod would get its pod name as app id)`);
      continue;
    }
    let pods: V1Pod[];
    try {
      pods = (await conn.core.listNamespacedPod({ namespace, labelSelector: labelSelectorString(d.spec?.selector) })).items;
    } catch (err) {
      throw readFailed(`the pods of ${where}`, err);
    }
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const desiredReplicas = d.spec?.replicas ?? 1;
    const injected = live.map((p) => describePod(p, annotations));
    const appPort = Number(annotations[DAPR_APP_PORT]) || undefined;
    const apiTokenSecret = annotations[DAPR_API_TOKEN_SECRET];
    const appTokenSecret = annotations[DAPR_APP_TOKEN_SECRET];
    apps.push({
      appId,
      deployment: name,
      namespace,
      desiredReplicas,
      pods: injected,
      ...(appPort ? { appPort } : {}),
      ...(apiTokenSecret ? { apiTokenSecret } : {}),
      ...(appTokenSecret ? { appTokenSecret } : {}),
    });

    const label = `${where} (app id ${appId})`;
    if (live.length === 0) {
      problems.push(`${label} has no pods (${desiredReplicas} desired)`);
      continue;
    }
    for (const p of injected) {
      if (!p.hasDaprd) problems.push(`${label}: pod ${p.name} has no ${DAPRD_CONTAINER} container; the sidecar injector did not inject it`);
      else if (p.daprdAppId && p.daprdAppId !== appId) problems.push(`${label}: pod ${p.name}'s daprd runs as app id ${p.daprdAppId}`);
    }
    const ready = injected.filter((p) => p.ready);
    if (ready.length === 0) problems.push(`${label}: none of its ${live.length} pods is Ready (${injected.map((p) => p.name).join(', ')})`);
  }
  return { namespace, apps, problems };
}

export function assertInjection(report: InjectionReport): void {
  if (report.problems.length === 0) return;
  throw runtimeError(
    'DAPR_INJECTION_FAILED',
    `Dapr apps in namespace ${report.namespace} are not running with their sidecars: ${report.problems.join('; ')}`,
    `check that dapr-sidecar-injector is available, then restart the app (kubectl rollout restart deployment -n ${report.namespace} NAME) and look at \`kubectl get pods -n ${report.namespace}\``,
  );
}

function describePod(pod: V1Pod, annotations: Record<string, string>): InjectedPod {
  const daprd = findDaprd(pod);
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const ports: DaprdPorts = {
    http: portNamed(daprd, 'dapr-http') ?? DAPRD_DEFAULT_PORTS.http,
    grpc: portNamed(daprd, 'dapr-grpc') ?? DAPRD_DEFAULT_PORTS.grpc,
    internal: portNamed(daprd, 'dapr-internal') ?? DAPRD_DEFAULT_PORTS.internal,
    metrics: portNamed(daprd, 'dapr-metrics') ?? (Number(annotations[DAPR_METRICS_PORT]) || DAPRD_DEFAULT_PORTS.metrics),
  };
  const daprdAppId = daprd ? argValue(daprd, '--app-id') : undefined;
  return {
    name: pod.metadata?.name ?? '?',
    ready,
    hasDaprd: Boolean(daprd),
    ports,
    ...(pod.status?.podIP ? { podIP: pod.status.podIP } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(daprdAppId ? { daprdAppId } : {}),
  };
}

/** daprd as a regular container, or as a native sidecar (an init container that keeps running). */
function findDaprd(pod: V1Pod): V1Container | undefined {
  return (
    pod.spec?.containers.find((c) => c.name === DAPRD_CONTAINER) ??
    pod.spec?.initContainers?.find((c) => c.name === DAPRD_CONTAINER && c.restartPolicy === 'Always')
  );
}

function portNamed(container: V1Container | undefined, name: string): number | undefined {
  return container?.ports?.find((p) => p.name === name)?.containerPort;
}

function argValue(container: V1Container, flag: string): string | undefined {
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}
