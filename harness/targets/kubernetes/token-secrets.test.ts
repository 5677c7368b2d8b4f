import { expect } from 'chai';
import type { ClusterConnection } from './cluster-connection';
import type { DaprApp } from './injection-check';
import { readClusterTokens } from './token-secrets';

const app = (appId: string, secrets: Partial<DaprApp>): DaprApp => ({
  appId,
  deployment: appId,
  namespace: 'ns',
  desiredReplicas: 1,
  pods: [],
  ...secrets,
});

function connWith(secrets: Record<string, Record<string, string> | 'forbidden'>): ClusterConnection {
  return {
    core: {
      readNamespacedSecret: async ({ name }: { name: string }) => {
        const s = secrets[name];
        if (s === 'forbidden' || s === undefined) throw Object.assign(new Error('forbidden'), { code: s === 'forbidden' ? 403 : 404 });
        return { data: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
      },
    },
  } as unknown as ClusterConnection;
}

describe('readClusterTokens', () => {
  it('reads the tokens from the secrets the pods name, key "token"', async () => {
    const t = await readClusterTokens(connWith({ api: { token: 'a1' }, apptok: { token: 'b2' } }), 'ns', [
      app('x', { apiTokenSecret: 'api', appTokenSecret: 'apptok' }),
      app('y', { apiTokenSecret: 'api' }),
    ]);
    expect(t).to.deep.equal({ apiToken: 'a1', appApiToken: 'b2', warnings: [] });
  });

  it('reads nothing where no pod names a secret', async () => {
    expect(await readClusterTokens(connWith({}), 'ns', [app('x', {})])).to.deep.equal({ warnings: [] });
  });

  it('warns naming the secret and the variable to set when it cannot read one', async () => {
    const t = await readClusterTokens(connWith({ api: 'forbidden', apptok: { other: 'z' } }), 'ns', [
      app('x', { apiTokenSecret: 'api', appTokenSecret: 'apptok' }),
    ]);
    expect(t.apiToken).to.equal(undefined);
    expect(t.warnings[0]).to.match(/cannot read secret ns\/api .*set DAPR_API_TOKEN/);
    expect(t.warnings[1]).to.match(/secret ns\/apptok has no key "token"; set APP_API_TOKEN/);
  });
});
