import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { sidecarOnly } from './sidecar-token';

async function serve(token: string | undefined): Promise<{ url: string; close: () => void }> {
  const app = express();
  app.use(sidecarOnly(token));
  app.get('/hello', (_req, res) => void res.json({ ok: true }));
  app.get('/ledger', (_req, res) => void res.json({ entries: [] }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('sidecarOnly (APP_API_TOKEN)', () => {
  it("refuses calls without the token or with a wrong one, and accepts the sidecar's", async () => {
    const s = await serve('app-token-123456');
    try {
      expect((await fetch(`${s.url}/hello`)).status).to.equal(401);
      expect((await fetch(`${s.url}/hello`, { headers: { 'dapr-api-token': 'nope' } })).status).to.equal(401);
      expect((await fetch(`${s.url}/hello`, { headers: { 'dapr-api-token': 'app-token-123456' } })).status).to.equal(200);
      expect((await fetch(`${s.url}/ledger`)).status, 'harness controls keep their own guard').to.equal(200);
    } finally {
      s.close();
    }
  });

  it('lets everything through when no token is configured', async () => {
    const s = await serve(undefined);
    try {
      expect((await fetch(`${s.url}/hello`)).status).to.equal(200);
    } finally {
      s.close();
    }
  });
});
