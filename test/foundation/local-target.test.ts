import { expect } from 'chai';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { connect as tlsConnect, type DetailedPeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startLocalDeployment, type LocalDeployment } from '../../harness/targets/local/local-target';
import { processesOfRun } from '../../harness/targets/local/current-run';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { PROBE_RUN_FILE, tempRunRoot } from '../support/fixtures';
import { survivorsAfter } from '../support/processes';

interface Metadata {
  id: string;
  runtimeVersion: string;
  components: { name: string; type: string }[];
}

let tokens: { sidecar?: string; app?: string } = {};

/** A call to a sidecar or an app of the deployment, with the token it requires (the local target's default). */
function authed(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = /\/v1\.0(-alpha1)?\//.test(url) ? tokens.sidecar : tokens.app;
  if (token) headers.set('dapr-api-token', token);
  return fetch(url, { ...init, headers, signal: AbortSignal.timeout(10_000) });
}

async function json<T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await authed(url, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** The certificate a sidecar presents on its internal (sidecar-to-sidecar) gRPC port. */
function peerCertificate(address: string, ca: string): Promise<{ cert: DetailedPeerCertificate; authorized: boolean; error?: string }> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port: Number(port),
      ca,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${address} timed out`));
    });
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate(true);
      resolve({ cert, authorized: socket.authorized, error: socket.authorizationError?.toString() });
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('local target: the reference deployment on this machine', function () {
  this.timeout(180_000);
  let deployment: LocalDeployment;
  let runRoot: string;

  before(async () => {
    runRoot = tempRunRoot();
    // No token in the environment: the deployment makes its own, as `npm run up` on a fresh machine does.
    const inherited = { api: process.env.DAPR_API_TOKEN, app: process.env.APP_API_TOKEN };
    delete process.env.DAPR_API_TOKEN;
    delete process.env.APP_API_TOKEN;
    try {
      deployment = await startLocalDeployment({ runFile: PROBE_RUN_FILE, runRoot });
    } finally {
      if (inherited.api !== undefined) process.env.DAPR_API_TOKEN = inherited.api;
      if (inherited.app !== undefined) process.env.APP_API_TOKEN = inherited.app;
    }
    tokens = { sidecar: deployment.apiToken, app: deployment.appApiToken };
  });

  after(async () => {
    await deployment?.stop();
  });

  it('starts every app with a sidecar that reports its app id, the pinned runtime and the components', async () => {
    expect(deployment.apps.map((a) => a.appId)).to.deep.equal(['probe-a', 'probe-b']);
    for (const app of deployment.apps) {
      const { status, body } = await json<Metadata>(`${app.sidecar.httpUrl}/v1.0/metadata`);
      expect(status).to.equal(200);
      expect(body.id).to.equal(app.appId);
      expect(body.runtimeVersion).to.equal('1.18.2');
      const types = body.components.map((c) => c.type).sort();
      expect(types).to.include.members(['pubsub.jetstream', 'state.redis']);
    }
  });

  it('runs its own redis-server and nats-server on free loopback ports, not the standard ones', () => {
    const addresses = deployment.dependencies.map((d) => d.address);
    expect(deployment.dependencies.map((d) => d.kind).sort()).to.deep.equal(['nats', 'redis']);
    for (const address of addresses) {
      expect(address).to.match(/^127\.0\.0\.1:\d+$/);
      expect(address).not.to.match(/:(6379|4222)$/);
    }
  });

  it('saves and reads state through daprd into our redis', async () => {
    const sidecar = deployment.sidecar('probe-a');
    const key = `foundation-${Date.now()}`;
    const save = await authed(`${sidecar.httpUrl}/v1.0/state/statestore`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ key, value: { n: 42 } }]),
    });
    expect(save.status).to.equal(204);
    const got = await json<{ n: number }>(`${sidecar.httpUrl}/v1.0/state/statestore/${key}`);
    expect(got.body).to.deep.equal({ n: 42 });
    // Another app's sidecar sees a different key space (Dapr prefixes keys with the app id) — the default.
    const other = await authed(`${deployment.sidecar('probe-b').httpUrl}/v1.0/state/statestore/${key}`);
    expect(other.status).to.equal(204);
    const del = await authed(`${sidecar.httpUrl}/v1.0/state/statestore/${key}`, { method: 'DELETE' });
    expect(del.status).to.equal(204);
  });

  it('delivers a published event to the subscribers through JetStream', async () => {
    const marker = `probe-${Date.now()}`;
    const pub = await authed(`${deployment.sidecar('probe-a').httpUrl}/v1.0/publish/pubsub/harness.probe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ marker }),
    });
    expect(pub.status).to.equal(204);
    // Both apps subscribe to the topic under their own app id (a consumer group each), so both get it.
    for (const app of deployment.apps) {
      const deadline = Date.now() + 15_000;
      let found: unknown;
      while (!found && Date.now() < deadline) {
        const { body } = await json<{ data?: { marker?: string }; source?: string }[]>(`${app.appUrl}/events`);
        found = body.find((e) => e.data?.marker === marker);
        if (!found) await sleep(200);
      }
      expect(found, `${app.appId} did not receive ${marker}`).to.include({ source: 'probe-a', type: 'com.dapr.event.sent' });
    }
  });

  it('invokes one app from another by app id (name resolution between processes on loopback)', async () => {
    const { status, body } = await json<{ app: string }>(`${deployment.sidecar('probe-a').httpUrl}/v1.0/invoke/probe-b/method/hello`);
    expect(status).to.equal(200);
    expect(body.app).to.equal('probe-b');
  });

  it('has mTLS on: each sidecar presents a Sentry-issued SPIFFE workload certificate', async () => {
    expect(deployment.mtlsEnabled).to.equal(true);
    const ca = deployment.trustAnchors as string;
    expect(ca).to.contain('BEGIN CERTIFICATE');
    const root = new X509Certificate(ca);
    for (const app of deployment.apps) {
      const { cert, authorized, error } = await peerCertificate(app.sidecar.internalGrpcAddress as string, ca);
      expect(authorized, `chain to Sentry's root: ${error}`).to.equal(true);
      expect(cert.subjectaltname).to.contain(`URI:spiffe://public/ns/default/${app.appId}`);
      // Sentry signs workload certificates with its issuer, which its root signed.
      const issuer = new X509Certificate(cert.issuerCertificate.raw);
      expect(new X509Certificate(cert.raw).checkIssued(issuer)).to.equal(true);
      expect(issuer.checkIssued(root)).to.equal(true);
    }
    const log = readFileSync(`${deployment.runDir}/logs/probe-a-daprd.log`, 'utf8');
    expect(log).to.contain('workload identity');
  });

  it('runs with a Dapr API token and an app API token generated for the run, kept only in 0600 files', async () => {
    const desc = deployment.describe();
    expect(desc.apiToken.source).to.equal('generated');
    expect(desc.appApiToken.source).to.equal('generated');
    expect(JSON.stringify(desc)).not.to.contain(tokens.sidecar).and.not.to.contain(tokens.app);
    expect(readFileSync(desc.apiToken.file as string, 'utf8')).to.equal(tokens.sidecar);
    expect(statSync(desc.apiToken.file as string).mode & 0o777).to.equal(0o600);
    expect(tokens.sidecar).to.not.equal(tokens.app);
    const app = deployment.apps[0];
    // Without the token: refused by the sidecar, and by the app when called around its sidecar.
    expect((await fetch(`${app?.sidecar.httpUrl}/v1.0/metadata`, { signal: AbortSignal.timeout(5000) })).status).to.equal(401);
    expect((await fetch(`${app?.appUrl}/hello`, { signal: AbortSignal.timeout(5000) })).status).to.equal(401);
    // Through Dapr, the sidecar presents the app token: the invocation test above got through.
  });

  it('reports a process that dies (killed from outside) as a death, and a stop through its control as none', async () => {
    const deaths = deployment.processDeaths;
    expect(deaths, 'the local target watches its processes').to.not.equal(undefined);
    const heard: string[] = [];
    const unsubscribe = deaths?.onDeath((d) => heard.push(d.name)) ?? (() => undefined);
    try {
      const app = deployment.processControls?.find((c) => c.kind === 'app' && c.name === 'probe-b');
      const sidecar = deployment.processControls?.find((c) => c.kind === 'sidecar' && c.name === 'probe-a-daprd');
      await sidecar?.stop();
      await sidecar?.start();
      const pid = deployment.processes().find((p) => p.name === 'probe-b')?.pid as number;
      process.kill(-pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (heard.length === 0 && Date.now() < deadline) await sleep(100);
      expect(heard).to.deep.equal(['probe-b']);
      const death = deaths?.deaths()[0];
      expect(death).to.include({ name: 'probe-b', kind: 'app', appId: 'probe-b', signal: 'SIGKILL', code: null });
      expect(death?.logFile).to.equal(`${deployment.runDir}/logs/probe-b.log`);
      await app?.start();
      expect(deaths?.deaths().map((d) => d.name)).to.deep.equal(['probe-b']);
    } finally {
      unsubscribe();
    }
  });

  it('writes a log per process into the run directory', () => {
    for (const name of ['redis', 'nats', 'sentry', 'probe-a', 'probe-a-daprd', 'probe-b', 'probe-b-daprd']) {
      expect(existsSync(`${deployment.runDir}/logs/${name}.log`), name).to.equal(true);
    }
  });

  it('stops every process it started, in order, and leaves none behind', async () => {
    const before = processesOfRun(deployment.runId);
    expect(before.length).to.be.greaterThanOrEqual(7);
    await deployment.stop();
    expect(await survivorsAfter(deployment.runId)).to.deep.equal([]);
  });
});
