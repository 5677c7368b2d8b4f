import type { KubeConfig } from '@kubernetes/client-node';
import { runtimeError } from '../../errors/harness-error';
import type { Stoppable } from '../../process/managed-process';
import type { AppEndpoint } from '../deployment';
import type { DaprApp, InjectedPod } from './injection-check';
import { PodPortForward, probePortForward } from './pod-port-forward';

/**
 * How the harness reaches sidecars: through port-forwards from outside the cluster, or, when it runs in a pod
 * itself, directly at the headless `<app-id>-dapr` Service the Dapr operator creates for every app.
 */
export type SidecarReach = 'port-forward' | 'in-cluster';

export interface SidecarAccessOptions {
  /** Default: in-cluster when KUBERNETES_SERVICE_HOST is set (the harness runs in a pod), else port-forward. */
  reach?: SidecarReach;
  /** Port-forward: the most pods per app to forward to (each pod is one instance). Default 8. */
  maxInstancesPerApp?: number;
  /** Ask each sidecar's /v1.0/healthz before handing the endpoints out (default true). */
  probe?: boolean;
  apiToken?: string;
  /** Cluster DNS domain. Default cluster.local. */
  clusterDomain?: string;
}

export interface SidecarAccess {
  reach: SidecarReach;
  apps: AppEndpoint[];
  /** Port-forwards to stop with the deployment. */
  forwards: Stoppable[];
  /** Port-forward: each instance's forwards (sidecar ports and app port), by `<app id>/<instance>`, to retarget. */
  instanceForwards: Map<string, PodPortForward[]>;
}

export function instanceKey(appId: string, instance: number): string {
  return `${appId}/${instance}`;
}

const DEFAULT_MAX_INSTANCES = 8;
const HEALTHZ_TIMEOUT_MS = 5_000;

export function defaultReach(env: NodeJS.ProcessEnv = process.env): SidecarReach {
  return env.KUBERNETES_SERVICE_HOST ? 'in-cluster' : 'port-forward';
}

export async function reachSidecars(kc: KubeConfig, apps: DaprApp[], opts: SidecarAccessOptions = {}): Promise<SidecarAccess> {
  const reach = opts.reach ?? defaultReach();
  const endpoints = reach === 'in-cluster' ? inClusterEndpoints(apps, opts.clusterDomain) : undefined;
  const instanceForwards = new Map<string, PodPortForward[]>();
  const forwards = (): PodPortForward[] => [...instanceForwards.values()].flat();
  try {
    const result = endpoints ?? (await portForwardEndpoints(kc, apps, opts.maxInstancesPerApp ?? DEFAULT_MAX_INSTANCES, instanceForwards));
    if (opts.probe !== false) await probeSidecars(result, reach, opts.apiToken);
    return { reach, apps: result, forwards: forwards(), instanceForwards };
  } catch (err) {
    await Promise.allSettled(forwards().map((f) => f.stop()));
    throw err;
  }
}

/** Sidecars at `<app-id>-dapr.<ns>.svc.<domain>`; the app of each ready pod at its pod IP. */
export function inClusterEndpoints(apps: DaprApp[], clusterDomain = 'cluster.local'): AppEndpoint[] {
  const out: AppEndpoint[] = [];
  for (const app of apps) {
    const host = `${app.appId}-dapr.${app.namespace}.svc.${clusterDomain}`;
    const pods = readyPods(app);
    const ports = pods[0]?.ports ?? { http: 3500, grpc: 50001, internal: 50002, metrics: 9090 };
    const sidecar = {
      appId: app.appId,
      httpUrl: `http://${host}:${ports.http}`,
      grpcAddress: `${host}:${ports.grpc}`,
      internalGrpcAddress: `${host}:${ports.internal}`,
      metricsUrl: `http://${host}:${ports.metrics}/metrics`,
    };
    // The headless Service resolves to every pod, so the sidecar URL is shared; the app URLs tell instances apart.
    const instances = pods.length > 0 ? pods : [undefined];
    instances.forEach((pod, instance) => {
      out.push({
        appId: app.appId,
        instance,
        sidecar,
        ...(pod?.podIP && app.appPort ? { appUrl: `http://${pod.podIP}:${app.appPort}` } : {}),
      });
    });
  }
  return out;
}

async function portForwardEndpoints(
  kc: KubeConfig,
  apps: DaprApp[],
  maxInstances: number,
  instanceForwards: Map<string, PodPortForward[]>,
): Promise<AppEndpoint[]> {
  const out: AppEndpoint[] = [];
  for (const app of apps) {
    const pods = readyPods(app).slice(0, maxInstances);
    for (const [instance, pod] of pods.entries()) {
      const probe = await probePortForward(kc, app.namespace, pod.name, pod.ports.http);
      if (!probe.ok) {
        throw runtimeError(
          'PORT_FORWARD_FAILED',
          `cannot port-forward to pod ${app.namespace}/${pod.name} (app id ${app.appId}) port ${pod.ports.http}: the API server answered ${probe.status ?? 'nothing'}: ${probe.message}`,
          'port-forward needs a node whose kubelet the API server can reach and RBAC create on pods/portforward; or run the harness in a pod of the cluster (in-cluster mode), or use --target external with your own port-forwards',
        );
      }
      const open = async (port: number): Promise<number> => {
        const f = new PodPortForward(kc, app.namespace, pod.name, port);
        const key = instanceKey(app.appId, instance);
        instanceForwards.set(key, [...(instanceForwards.get(key) ?? []), f]);
        return f.start();
      };
      const [http, grpc, internal, metrics] = [
        await open(pod.ports.http),
        await open(pod.ports.grpc),
        await open(pod.ports.internal),
        await open(pod.ports.metrics),
      ];
      const appPort = app.appPort ? await open(app.appPort) : undefined;
      out.push({
        appId: app.appId,
        instance,
        sidecar: {
          appId: app.appId,
          httpUrl: `http://127.0.0.1:${http}`,
          grpcAddress: `127.0.0.1:${grpc}`,
          internalGrpcAddress: `127.0.0.1:${internal}`,
          metricsUrl: `http://127.0.0.1:${metrics}/metrics`,
        },
        ...(appPort ? { appUrl: `http://127.0.0.1:${appPort}` } : {}),
      });
    }
  }
  return out;
}

async function probeSidecars(apps: AppEndpoint[], reach: SidecarReach, apiToken?: string): Promise<void> {
  const seen = new Set<string>();
  for (const app of apps) {
    const url = `${app.sidecar.httpUrl}/v1.0/healthz`;
    if (seen.has(url)) continue;
    seen.add(url);
    let status: number | string;
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(HEALTHZ_TIMEOUT_MS),
        headers: apiToken ? { 'dapr-api-token': apiToken } : {},
      });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      status = cause?.code ?? cause?.message ?? (err as Error).message;
    }
    if (status === 204 || status === 200) continue;
    const how =
      reach === 'in-cluster'
        ? 'the harness pod must resolve cluster DNS and be allowed by NetworkPolicies to reach port 3500 of the app pods'
        : "check the pod's daprd log (kubectl logs POD -c daprd)";
    throw runtimeError(
      'SIDECAR_UNREACHABLE',
      `the sidecar of ${app.appId} (instance ${app.instance}) at ${app.sidecar.httpUrl} does not answer /v1.0/healthz: ${status}`,
      how,
    );
  }
}

function readyPods(app: DaprApp): InjectedPod[] {
  return app.pods.filter((p) => p.ready && p.hasDaprd);
}
