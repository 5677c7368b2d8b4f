import {
  ApiextensionsV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  VersionApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { usageError } from '../../errors/harness-error';
import { apiErrorMessage, apiStatus, systemCode } from './api-errors';
import { ResourceDiscovery } from './resource-discovery';
import { loadKubeConfig, type KubeConfigChoice, type LoadedKubeConfig } from './kube-config';

export interface ClusterConnection {
  kubeConfig: KubeConfig;
  loaded: LoadedKubeConfig;
  /** gitVersion the API server reports, e.g. v1.34.4. */
  serverVersion: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  apiextensions: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  /** Reads objects of any kind and tells which resource serves an apiVersion and kind. */
  objects: ResourceDiscovery;
}

const REACH_TIMEOUT_MS = 10_000;

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Loads the kubeconfig, asks the API server for its version, and fails with a one-line usage error when it cannot. */
export async function connectCluster(choice: KubeConfigChoice): Promise<ClusterConnection> {
  const loaded = loadKubeConfig(choice);
  const kc = loaded.config;
  const where = `the Kubernetes API server at ${loaded.server} (context ${loaded.context} in ${loaded.source})`;
  let serverVersion: string;
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      kc.makeApiClient(VersionApi).getCode(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`no answer within ${REACH_TIMEOUT_MS / 1000}s`), { code: 'ETIMEDOUT' })),
          REACH_TIMEOUT_MS,
        );
      }),
    ]);
    serverVersion = version.gitVersion;
  } catch (err) {
    throw unreachable(err, where, loaded.context);
  } finally {
    clearTimeout(timer);
  }
  return {
    kubeConfig: kc,
    loaded,
    serverVersion,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    autoscaling: kc.makeApiClient(AutoscalingV2Api),
    apiextensions: kc.makeApiClient(ApiextensionsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: kc.makeApiClient(ResourceDiscovery),
  };
}

function unreachable(err: unknown, where: string, context: string): Error {
  const status = apiStatus(err);
  const check = `\`kubectl --context ${context} cluster-info\``;
  if (status === 401)
    return usageError(
      'CLUSTER_UNAUTHORIZED',
      `${where} rejected the credentials (401)`,
      `refresh the context's credentials (log in again) and check with ${check}`,
    );
  if (status === 403)
    return usageError(
      'CLUSTER_FORBIDDEN',
      `${where} refused the user access to /version (403)`,
      'use a context whose user may read the cluster (view role or better)',
    );
  if (status !== undefined)
    return usageError('CLUSTER_UNHEALTHY', `${where} answered ${apiErrorMessage(err)}`, `check the cluster with ${check}`);
  const code = systemCode(err);
  if (code === 'ECONNREFUSED')
    return usageError(
      'CLUSTER_UNREACHABLE',
      `cannot reach ${where}: connection refused`,
      `start the cluster or fix the server address in the kubeconfig, then check with ${check}`,
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return usageError(
      'CLUSTER_UNREACHABLE',
      `cannot reach ${where}: host name does not resolve`,
      `fix the server address in the kubeconfig or your DNS, then check with ${check}`,
    );
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EHOSTUNREACH')
    return usageError(
      'CLUSTER_UNREACHABLE',
      `cannot reach ${where}: ${code}`,
      `check the network path to the cluster (VPN, firewall), then ${check}`,
    );
  if (code && TLS_CODES.has(code))
    return usageError(
      'CLUSTER_TLS',
      `cannot verify the TLS certificate of ${where}: ${code}`,
      "the kubeconfig's certificate-authority data does not match the server; fetch a fresh kubeconfig",
    );
  return usageError('CLUSTER_UNREACHABLE', `cannot reach ${where}: ${apiErrorMessage(err)}`, `check the cluster with ${check}`);
}
