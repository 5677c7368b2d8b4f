import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Deployment } from '../targets/deployment';
import { collectEnvironment } from './environment';

/** A stand-in sidecar whose metadata API, like daprd's with DAPR_API_TOKEN set, answers only with the token. */
async function sidecarRequiring(token: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.headers['dapr-api-token'] !== token) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"errorCode":"ERR_UNAUTHORIZED","message":"invalid api token"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ runtimeVersion: '1.18.2', components: [{ name: 'pubsub', type: 'pubsub.jetstream', version: 'v1' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function deploymentAt(url: string, apiToken?: string): Deployment {
  const sidecar = { appId: 'a', httpUrl: url, grpcAddress: '127.0.0.1:1' };
  return {
    target: 'external',
    runId: 'r',
    runDir: '/tmp',
    apps: [{ appId: 'a', instance: 0, sidecar }],
    components: [],
    dependencies: [],
    ...(apiToken ? { apiToken } : {}),
    sidecar: () => sidecar,
    stop: async () => {},
  };
}

describe('collectEnvironment', () => {
  it('asks a sidecar that requires an API token with the token', async () => {
    const { url, server } = await sidecarRequiring('env-token-123456');
    try {
      const env = await collectEnvironment(deploymentAt(url, 'env-token-123456'));
      expect(env.daprVersion).to.equal('1.18.2');
      expect(env.components).to.deep.equal([{ name: 'pubsub', type: 'pubsub.jetstream', version: 'v1' }]);
      // Without the token the version stays unknown rather than taken from a 401 body.
      expect((await collectEnvironment(deploymentAt(url))).daprVersion).to.equal(undefined);
    } finally {
      server.close();
    }
  });
});
