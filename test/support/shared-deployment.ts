import { join } from 'node:path';
import { startLocalDeployment, type LocalDeployment } from '../../harness/targets/local/local-target';
import { DEFAULT_RUN_ROOT } from '../../harness/paths';

/**
 * One reference deployment for the whole mocha run, started on first use and stopped by the root hook.
 * Tests that share it must clean up what they create; tests that break a deployment start their own.
 */
let shared: Promise<LocalDeployment> | undefined;

export const TEST_RUN_ROOT = join(DEFAULT_RUN_ROOT, 'tests');

export function sharedDeployment(): Promise<LocalDeployment> {
  shared ??= startLocalDeployment({ runRoot: TEST_RUN_ROOT });
  return shared;
}

export async function stopSharedDeployment(): Promise<void> {
  if (!shared) return;
  const pending = shared;
  shared = undefined;
  try {
    const d = await pending;
    await d.stop();
  } catch {
    // a start that failed has already stopped what it started
  }
}
