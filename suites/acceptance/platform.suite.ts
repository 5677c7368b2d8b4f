import { expect } from 'chai';
import { connect as tlsConnect } from 'node:tls';
import { deployment, measure } from '../../harness/suites/suite-context';
import { http } from '../support/http';
import { APPS } from '../support/sut';

interface Metadata {
  id: string;
  runtimeVersion: string;
  components: { name: string; type: string; version: string }[];
  subscriptions?: { pubsubname: string; topic: string; type?: string; deadLetterTopic?: string }[];
}

async function metadataOf(appId: string): Promise<Metadata> {
  const { status, body } = await http<Metadata>(`${deployment().sidecar(appId).httpUrl}/v1.0/metadata`);
  expect(status, `metadata of ${appId}`).to.equal(200);
  return body;
}

/** The SPIFFE id a sidecar's internal gRPC port presents, and whether it chains to the trust bundle. */
function presentedIdentity(address: string, ca: string): Promise<{ spiffe?: string; authorized: boolean }> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port: Number(port), ca, ALPNProtocols: ['h2'], rejectUnauthorized: false, checkServerIdentity: () => undefined });
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error(`no TLS handshake with ${address} within 5 s: mTLS off?`));
    });
    socket.once('secureConnect', () => {
      const san = socket.getPeerCertificate().subjectaltname ?? '';
      resolve({ spiffe: /URI:(spiffe:\/\/\S+?)(,|$)/.exec(san)?.[1], authorized: socket.authorized });
      socket.destroy();
    });
    socket.once('error', (err) => reject(new Error(`TLS handshake with ${address} failed (${err.message}): mTLS off?`)));
  });
}

describe('platform: every app has a healthy sidecar with the expected building blocks', () => {
  const appIds = (): string[] => [...new Set(deployment().apps.map((a) => a.appId))];

  it('every app of the reference deployment is present', () => {
    expect(appIds()).to.include.members(Object.values(APPS));
  });

  it('every sidecar is healthy and reports its app id and runtime version', async function () {
    for (const app of deployment().apps) {
      const health = await http(`${app.sidecar.httpUrl}/v1.0/healthz`);
      expect(health.status, `${app.appId} healthz`).to.equal(204);
      const meta = await http<Metadata>(`${app.sidecar.httpUrl}/v1.0/metadata`);
      expect(meta.body.id).to.equal(app.appId);
      expect(meta.body.runtimeVersion, `${app.appId} runtime version`).to.match(/^\d+\.\d+\.\d+/);
      measure(this, `runtimeVersion.${app.appId}.${app.instance}`, meta.body.runtimeVersion);
    }
  });

  it('every sidecar has a state store and a pub/sub component registered', async () => {
    for (const appId of appIds()) {
      const types = (await metadataOf(appId)).components.map((c) => c.type);
      expect(types.some((t) => t.startsWith('state.')), `${appId} has a state store (has ${types.join(', ')})`).to.equal(true);
      expect(types.some((t) => t.startsWith('pubsub.')), `${appId} has a pub/sub (has ${types.join(', ')})`).to.equal(true);
    }
  });

  it('T020 mTLS is in force: each sidecar presents a SPIFFE workload identity from the trust bundle', async function () {
    const d = deployment();
    if (!d.trustAnchors || !d.apps.every((a) => a.sidecar.internalGrpcAddress)) this.skip();
    for (const app of d.apps) {
      const id = await presentedIdentity(app.sidecar.internalGrpcAddress as string, d.trustAnchors as string);
      expect(id.authorized, `${app.appId}'s certificate chains to the trust bundle`).to.equal(true);
      expect(id.spiffe).to.match(new RegExp(`^spiffe://[^/]+/ns/[^/]+/${app.appId}$`));
    }
  });

  it('the Configuration turns on mTLS, metrics and full trace sampling', function () {
    const configs = (deployment().resources ?? []).filter((r) => r.kind === 'Configuration');
    if (configs.length === 0) this.skip();
    for (const c of configs) {
      const spec = c.body.spec as { mtls?: { enabled?: boolean }; metric?: { enabled?: boolean }; tracing?: { samplingRate?: string } };
      expect(spec.mtls?.enabled, `${c.name}: mtls.enabled`).not.to.equal(false);
      expect(spec.metric?.enabled, `${c.name}: metric.enabled`).not.to.equal(false);
      expect(spec.tracing?.samplingRate, `${c.name}: tracing.samplingRate`).to.equal('1');
    }
  });

  it('every sidecar serves Prometheus metrics', async function () {
    for (const app of deployment().apps) {
      if (!app.sidecar.metricsUrl) this.skip();
      const { status, text } = await http(app.sidecar.metricsUrl as string);
      expect(status).to.equal(200);
      expect(text, `${app.appId} metrics`).to.match(/^dapr_/m);
    }
  });

  it('the subscriptions are registered: declarative for notification-service, programmatic for the others', async () => {
    const topics = async (appId: string): Promise<Metadata['subscriptions']> => (await metadataOf(appId)).subscriptions ?? [];
    const notification = await topics(APPS.notification);
    expect(notification?.map((s) => s.topic)).to.include.members(['task.created', 'task.updated']);
    expect(notification?.every((s) => s.type === 'DECLARATIVE')).to.equal(true);
    const audit = await topics(APPS.audit);
    expect(audit?.map((s) => s.topic)).to.include.members(['task.created', 'task.updated']);
    expect(audit?.find((s) => s.topic === 'task.created')?.deadLetterTopic).to.equal('task.deadletter');
    const analytics = await topics(APPS.analytics);
    expect(analytics?.map((s) => s.topic)).to.include('task.created');
    expect(analytics?.every((s) => s.type === 'PROGRAMMATIC')).to.equal(true);
  });
});
