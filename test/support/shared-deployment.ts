import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startLocalDeployment, type LocalDeployment } from '../../harness/targets/local/local-target';
import { DEFAULT_RUN_ROOT } from '../../harness/paths';

/**
 * One reference deployment for the whole mocha run, started on first use and stopped by the root hook.
 * Tests that share it must clean up what they create; tests that break a deployment start their own.
 */
let shared: Promise<LocalDeployment> | undefined;

export const TEST_RUN_ROOT = join(DEFAULT_RUN_ROOT, 'tests');

/**
 * The shared deployment's tokens, fixed for the mocha run. The CLI runs of the tests get them in their environment
 * (test/support/cli.ts), like a user who exported the tokens of the deployment they test; they are not put in this
 * process's environment, where the reference services' unit tests would pick them up.
 */
export const TEST_TOKENS = {
  DAPR_API_TOKEN: `test-api-token-${randomBytes(12).toString('hex')}`,
  APP_API_TOKEN: `test-app-token-${randomBytes(12).toString('hex')}`,
};

export function sharedDeployment(): Promise<LocalDeployment> {
  shared ??= startLocalDeployment({ runRoot: TEST_RUN_ROOT, apiToken: TEST_TOKENS.DAPR_API_TOKEN, appApiToken: TEST_TOKENS.APP_API_TOKEN });
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

/** The header a direct call to `url` needs on deployment `d`: its API token for a sidecar, its app token for an app. */
export function tokenHeaders(d: LocalDeployment, url: string): Record<string, string> {
  const under = (base: string | undefined): boolean => base !== undefined && (url === base || url.startsWith(`${base}/`));
  const token = d.apps.some((a) => under(a.sidecar.httpUrl)) ? d.apiToken : d.apps.some((a) => under(a.appUrl)) ? d.appApiToken : undefined;
  return token ? { 'dapr-api-token': token } : {};
}
