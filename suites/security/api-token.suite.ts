import { expect } from 'chai';
import { deployment, measure } from '../../harness/suite-runner/suite-context';
import { observableApps } from '../support/observable-apps';

const SIDECAR_SETTING =
  "set DAPR_API_TOKEN in every daprd's environment (Kubernetes: annotation dapr.io/api-token-secret; the local target does it by default) and give the harness the same token in DAPR_API_TOKEN";
const APP_SETTING =
  "set APP_API_TOKEN in daprd's environment (Kubernetes: annotation dapr.io/app-token-secret) and have the app refuse requests without it in dapr-api-token";

async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return res.status;
}

describe('security: Dapr API token (T022)', () => {
  it('T022 sidecars refuse API calls without the token (401) and accept them with it', async function () {
    const d = deployment();
    const without = await Promise.all(d.apps.map(async (app) => ({ app, status: await statusOf(`${app.sidecar.httpUrl}/v1.0/metadata`) })));
    if (!d.apiToken) {
      // No token to check with: what the sidecars do without one says which setting is missing.
      const open = without.filter((w) => w.status !== 401).map((w) => `${w.app.appId} (${w.status})`);
      throw new Error(
        open.length > 0
          ? `sidecars answer their API without a token: ${open.join(', ')}; ${SIDECAR_SETTING}`
          : `the sidecars require an API token the harness was not given: set DAPR_API_TOKEN for the harness to the sidecars' token`,
      );
    }
    for (const { app, status } of without) {
      const url = `${app.sidecar.httpUrl}/v1.0/metadata`;
      const wrong = await statusOf(url, { 'dapr-api-token': 'not-the-token' });
      const withToken = await statusOf(url, { 'dapr-api-token': d.apiToken });
      measure(this, `${app.appId}.${app.instance}`, `${status}/${wrong}/${withToken}`);
      expect(status, `${app.appId}'s sidecar answered a call without a token: ${SIDECAR_SETTING}`).to.equal(401);
      expect(wrong, `${app.appId}'s sidecar with a wrong token`).to.equal(401);
      expect(withToken, `${app.appId}'s sidecar with the token`).to.equal(200);
    }
  });
});

describe('security: app API token (T022)', () => {
  it('T022 apps refuse calls that do not come through their sidecar, and answer those that do', async function () {
    const d = deployment();
    const reachable = observableApps(
      this,
      (a) => a.appUrl !== undefined,
      'the target exposes no app addresses to call an app without its sidecar (external target: give app: URLs in the sidecars file)',
    );
    const caller = d.apps[0]?.appId as string;
    for (const app of reachable) {
      // Straight to the app, without its sidecar and without the token its sidecar presents.
      const direct = await statusOf(`${app.appUrl}/hello`, {});
      const viaDapr = await statusOf(
        `${d.sidecar(caller).httpUrl}/v1.0/invoke/${app.appId}/method/hello`,
        d.apiToken ? { 'dapr-api-token': d.apiToken } : {},
      );
      measure(this, `${app.appId}.${app.instance}`, `${direct}/${viaDapr}`);
      expect(direct, `${app.appId} answered a call that did not come through its sidecar (status ${direct}): ${APP_SETTING}`).to.equal(401);
      expect(viaDapr, `${app.appId} through Dapr`).to.not.equal(401);
    }
  });
});
