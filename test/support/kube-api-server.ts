import { createProgress } from '../../harness/console/progress';
import { startKubeTestEnv, type KubeTestEnv } from './kube-test-env/kube-test-env';

/**
 * Two shared control planes for a mocha run, each started on first use (building the binaries the first time):
 *
 * - kubeApiServer(): etcd and kube-apiserver alone. Nothing acts on what a test creates, so a test that plays the
 *   controllers (writes pods and status itself) gets exactly the states it means to check.
 * - kubeCluster(): the same plus kube-controller-manager, kwok's fake node and metrics-server, so Deployments get
 *   ReplicaSets and Running pods and HorizontalPodAutoscalers act on simulated CPU usage.
 *
 * Each test file that uses one registers `after(stopKubeApiServer)` / `after(stopKubeCluster)` at its top level,
 * which mocha runs once all files are done; stopping twice is harmless.
 */
let shared: Promise<KubeTestEnv> | undefined;
let sharedCluster: Promise<KubeTestEnv> | undefined;

/**
 * The first start may build the binaries (kube-apiserver and etcd take about 4 minutes on two cores with the Go
 * module cache filled, kube-controller-manager, kwok and metrics-server a few more; more when the modules must
 * be downloaded too); later starts take seconds.
 */
export const KUBE_START_TIMEOUT_MS = 1_200_000;

export function kubeApiServer(): Promise<KubeTestEnv> {
  shared ??= startKubeTestEnv({ progress: createProgress() });
  return shared;
}

export function kubeCluster(): Promise<KubeTestEnv> {
  sharedCluster ??= startKubeTestEnv({ cluster: true, progress: createProgress() });
  return sharedCluster;
}

async function stopShared(pending: Promise<KubeTestEnv> | undefined): Promise<void> {
  if (!pending) return;
  try {
    await (await pending).stop();
  } catch {
    // a start that failed has already stopped what it started
  }
}

export async function stopKubeApiServer(): Promise<void> {
  const pending = shared;
  shared = undefined;
  await stopShared(pending);
}

export async function stopKubeCluster(): Promise<void> {
  const pending = sharedCluster;
  sharedCluster = undefined;
  await stopShared(pending);
}
