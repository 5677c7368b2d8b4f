import { expect } from 'chai';
import { deployment, measure } from '../../harness/suites/suite-context';

describe('security: Dapr API token (T022)', () => {
  it('T022 sidecars refuse API calls without the token (401) and accept them with it', async function () {
    const d = deployment();
    if (!d.apiToken) this.skip();
    for (const app of d.apps) {
      const url = `${app.sidecar.httpUrl}/v1.0/metadata`;
      const without = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const wrong = await fetch(url, { headers: { 'dapr-api-token': 'not-the-token' }, signal: AbortSignal.timeout(5000) });
      const withToken = await fetch(url, { headers: { 'dapr-api-token': d.apiToken as string }, signal: AbortSignal.timeout(5000) });
      measure(this, `${app.appId}.${app.instance}`, `${without.status}/${wrong.status}/${withToken.status}`);
      expect(without.status, `${app.appId} without a token`).to.equal(401);
      expect(wrong.status, `${app.appId} with a wrong token`).to.equal(401);
      expect(withToken.status, `${app.appId} with the token`).to.equal(200);
    }
  });
});

describe('security: app API token (T022)', () => {
  it('T022 apps refuse calls that do not come through their sidecar, and answer those that do', async function () {
    const d = deployment();
    if (!d.appApiTokenRequired || !d.apps.every((a) => a.appUrl)) this.skip();
    const caller = d.apps[0]?.appId as string;
    for (const app of d.apps) {
      const direct = await fetch(`${app.appUrl}/hello`, { signal: AbortSignal.timeout(5000) });
      const viaDapr = await fetch(`${d.sidecar(caller).httpUrl}/v1.0/invoke/${app.appId}/method/hello`, { headers: d.apiToken ? { 'dapr-api-token': d.apiToken } : {}, signal: AbortSignal.timeout(5000) });
      measure(this, `${app.appId}.${app.instance}`, `${direct.status}/${viaDapr.status}`);
      expect(direct.status, `${app.appId} called straight, without its sidecar`).to.equal(401);
      expect(viaDapr.status, `${app.appId} through Dapr`).to.not.equal(401);
    }
  });
});
