import { createProgress } from '../../harness/cli/progress';
import { startKubeTestEnv, type KubeTestEnv } from '../../harness/targets/kubernetes/test-env/kube-test-env';

/**
 * One etcd + kube-apiserver for the whole mocha run, started on first use (building the binaries the first time).
 * Each test file that uses it registers `after(stopKubeApiServer)` at its top level, which mocha runs once all
 * files are done; stopping twice is harmless.
 */
let shared: Promise<KubeTestEnv> | undefined;

/**
 * The first start may build kube-apiserver and etcd (about 4 minutes on two cores with the Go module cache
 * filled, more when the modules must be downloaded too); later starts take seconds.
 */
export const KUBE_START_TIMEOUT_MS = 900_000;

export function kubeApiServer(): Promise<KubeTestEnv> {
  shared ??= startKubeTestEnv({ progress: createProgress() });
  return shared;
}

export async function stopKubeApiServer(): Promise<void> {
  if (!shared) return;
  const pending = shared;
  shared = undefined;
  try {
    await (await pending).stop();
  } catch {
    // a start that failed has already stopped what it started
  }
}
