import { expect } from 'chai';
import { connect as tlsConnect } from 'node:tls';
import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import { observableApps } from '../support/observable-apps';
import { configurations, metricsProblem, mtlsProblem, named, NOT_READABLE, specOf, tracingProblem } from '../support/configuration';
import { http } from '../support/http';
import { jetStreamStatus } from '../support/jetstream';
import { APPS, PUBSUB } from '../support/sut';

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

/** Stream names the pub/sub component declares (annotation dapr-harness.io/jetstream-streams: "name=subjects;…"). */
function streamsDeclared(): string[] {
  const component = (deployment().resources ?? []).find((r) => r.kind === 'Component' && r.name === PUBSUB);
  const annotation = (component?.body.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[
    'dapr-harness.io/jetstream-streams'
  ];
  return (annotation ?? '')
    .split(';')
    .map((s) => s.split('=')[0]?.trim() ?? '')
    .filter(Boolean);
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
      expect(
        types.some((t) => t.startsWith('state.')),
        `${appId} has a state store (has ${types.join(', ')})`,
      ).to.equal(true);
      expect(
        types.some((t) => t.startsWith('pubsub.')),
        `${appId} has a pub/sub (has ${types.join(', ')})`,
      ).to.equal(true);
    }
  });

  it('T020 mTLS is in force: each sidecar presents a SPIFFE workload identity from the trust bundle', async function () {
    const d = deployment();
    const declared = (configurations() ?? []).map(mtlsProblem).find(Boolean);
    if (declared || d.mtlsEnabled === false)
      throw new Error(
        declared ??
          'mTLS is off in this deployment: set mtls.enabled: true in its Configuration (Kubernetes: the daprsystem Configuration in dapr-system)',
      );
    if (!d.trustAnchors)
      return skipBecause(
        this,
        'not-observable',
        'the target does not know the trust bundle the identities chain to (external target: trustAnchorsFile in the sidecars file; Kubernetes: the dapr-trust-bundle ConfigMap)',
      );
    if (!d.apps.every((a) => a.sidecar.internalGrpcAddress))
      return skipBecause(
        this,
        'not-observable',
        "the target does not expose every sidecar's internal gRPC address (external target: internalGrpc: per app)",
      );
    for (const app of d.apps) {
      const id = await presentedIdentity(app.sidecar.internalGrpcAddress as string, d.trustAnchors as string);
      expect(id.authorized, `${app.appId}'s certificate chains to the trust bundle`).to.equal(true);
      expect(id.spiffe).to.match(new RegExp(`^spiffe://[^/]+/ns/[^/]+/${app.appId}$`));
    }
  });

  it('the Configuration turns on mTLS, metrics and full trace sampling', function () {
    const configs = configurations();
    if (!configs) return skipBecause(this, 'not-observable', NOT_READABLE);
    const problems: string[] = [];
    for (const c of configs) {
      problems.push(...[mtlsProblem(c), metricsProblem(c), tracingProblem(c)].filter((p): p is string => p !== undefined));
      const rate = specOf<{ tracing?: { samplingRate?: string } }>(c).tracing?.samplingRate;
      if (rate !== undefined && Number(rate) > 0 && Number(rate) < 1)
        problems.push(`tracing.samplingRate is "${rate}" in ${named(c)}, so some requests go untraced: set it to "1"`);
    }
    expect(problems, problems.join('; ')).to.deep.equal([]);
  });

  it('every sidecar serves Prometheus metrics', async function () {
    const observable = observableApps(
      this,
      (a) => a.sidecar.metricsUrl !== undefined,
      "the target does not expose the sidecars' metrics endpoints (external target: give metrics: URL per app in the sidecars file)",
    );
    for (const app of observable) {
      const { status, text } = await http(app.sidecar.metricsUrl as string).catch((err: Error) => {
        throw new Error(
          `${app.appId}'s sidecar serves no metrics at ${app.sidecar.metricsUrl} (${err.message}): set metric.enabled: true in the Configuration`,
        );
      });
      expect(status, `${app.appId} metrics`).to.equal(200);
      expect(text, `${app.appId} metrics`).to.match(/^dapr_/m);
    }
  });

  it('pub/sub is NATS JetStream: every sidecar loads it as pubsub.jetstream, and the server has JetStream with the streams it binds to', async function () {
    const d = deployment();
    for (const appId of appIds()) {
      const pubsub = (await metadataOf(appId)).components.find((c) => c.name === PUBSUB);
      expect(
        pubsub?.type,
        `${appId}'s sidecar loads component ${PUBSUB} as ${pubsub?.type ?? 'nothing'}: set spec.type: pubsub.jetstream in the ${PUBSUB} Component and point natsURL at a NATS server with JetStream`,
      ).to.equal('pubsub.jetstream');
    }
    const nats = d.dependencies.find((x) => x.kind === 'nats');
    if (!nats)
      return skipBecause(
        this,
        'not-observable',
        "the target does not expose the NATS server's address, so JetStream on the server is known only through the component daprd loaded",
      );
    const status = await jetStreamStatus(`nats://${nats.address}`, streamsDeclared());
    measure(this, 'streams', status.streams.join(', '));
    if (!status.enabled)
      throw new Error(
        `the NATS server at ${nats.address} has no JetStream (${status.reason}): start nats-server with -js (Helm chart: config.jetstream.enabled=true)`,
      );
    expect(
      status.missing,
      `JetStream streams the ${PUBSUB} component binds to are missing at ${nats.address}: create them (the dapr-harness.io/jetstream-streams annotation lists them)`,
    ).to.deep.equal([]);
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
