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
