import { expect } from 'chai';
import { join } from 'node:path';
import { loadResources, type DaprResource } from '../harness/targets/local/dapr-resources';
import { readRunTemplate } from '../harness/targets/local/multi-app-run';
import { jetStreamStreams } from '../harness/targets/local/render-resources';
import { NOTIFICATION_TOPICS } from '../system-under-test/services/notification-service/app';
import { eventRoute } from '../system-under-test/lib/subscriber/subscriber-app';
import { checkResources } from './resource-checks';

const DIR = import.meta.dirname;
const RUN_FILE = join(DIR, '..', 'system-under-test', 'dapr.yaml');

describe('dapr-components: the committed Dapr resources', () => {
  const resources = loadResources([DIR]);
  const template = readRunTemplate(RUN_FILE);
  const appIds = template.apps.map((a) => a.appId);
  const byName = (kind: string, name: string): DaprResource => {
    const r = resources.find((x) => x.kind === kind && x.name === name);
    if (!r) throw new Error(`no ${kind} ${name}`);
    return r;
  };

  it('are consistent with each other and with the apps of system-under-test/dapr.yaml', () => {
    expect(checkResources(resources, appIds)).to.deep.equal([]);
  });

  it('the run file starts every service, preferences-service twice, each with /healthz', () => {
    expect(appIds).to.deep.equal([
      'sample-app',
      'task-service',
      'notification-service',
      'audit-service',
      'analytics-service',
      'preferences-service',
    ]);
    expect(template.apps.find((a) => a.appId === 'preferences-service')?.replicas).to.equal(2);
    for (const app of template.apps) {
      expect(app.appHealthCheckPath, app.appId).to.equal('/healthz');
      expect(app.command).to.deep.equal(['node', '--import', 'tsx', 'main.ts']);
      expect(app.resourcesPaths).to.deep.equal([DIR]);
    }
  });

  it('every topic is carried by exactly one JetStream stream, and dead letters by a stream of their own', () => {
    const streams = jetStreamStreams(resources);
    const carriers = (topic: string): string[] =>
      streams.filter((st) => st.subjects.some((subject) => natsSubjectMatches(subject, topic))).map((st) => st.name);
    for (const topic of ['task.created', 'task.updated', 'task.deadletter', 'harness.raw', 'harness.probe']) {
      expect(carriers(topic), topic).to.have.length(1);
    }
    const deadLetters = streams.find((st) => st.name === carriers('task.deadletter')[0]);
    expect(deadLetters?.subjects, 'the dead-letter stream holds nothing else').to.deep.equal(['task.deadletter']);
  });

  it('the statestore names its host by cluster DNS and its password by secretKeyRef', () => {
    const meta = (byName('Component', 'statestore').body.spec as { metadata: { name: string; value?: string; secretKeyRef?: unknown }[] })
      .metadata;
    expect(meta.find((m) => m.name === 'redisHost')?.value).to.match(/\.svc\.cluster\.local:6379$/);
    expect(meta.find((m) => m.name === 'redisPassword')?.secretKeyRef).to.deep.equal({ name: 'redis', key: 'redis-password' });
  });

  it('the Configuration turns on mTLS, full tracing to zipkin, metrics, and a deny-by-default access list', () => {
    const spec = byName('Configuration', 'daprconfig').body.spec as Record<string, Record<string, unknown>>;
    expect(spec.mtls).to.deep.equal({ enabled: true });
    expect(spec.tracing).to.deep.equal({ samplingRate: '1', zipkin: { endpointAddress: 'http://localhost:9411/api/v2/spans' } });
    expect(spec.metric?.enabled).to.equal(true);
    expect(spec.accessControl?.defaultAction).to.equal('deny');
    const policies = spec.accessControl?.policies as { appId: string; defaultAction: string }[];
    expect(policies.map((p) => p.appId)).to.include.members(['sample-app', 'task-service', 'audit-service', 'preferences-service']);
    expect(
      policies.every((p) => p.defaultAction === 'deny'),
      'a listed caller may call only the operations listed for it',
    ).to.equal(true);
    expect(
      policies.map((p) => p.appId),
      'the subscribers invoke nothing',
    ).not.to.include.members(['notification-service', 'analytics-service']);
  });

  it('resiliency covers the two invoked apps and both components, with constant and exponential retries', () => {
    const spec = byName('Resiliency', 'reference-resiliency').body.spec as {
      policies: { retries: Record<string, { policy: string; maxRetries: number }>; circuitBreakers: Record<string, { trip: string }> };
      targets: { apps: Record<string, unknown>; components: Record<string, { inbound?: unknown; outbound?: unknown }> };
    };
    expect(Object.keys(spec.targets.apps).sort()).to.deep.equal(['preferences-service', 'task-service']);
    expect(spec.targets.components.statestore?.outbound).to.not.equal(undefined);
    expect(spec.targets.components.pubsub?.inbound).to.not.equal(undefined);
    expect(spec.targets.components.pubsub?.outbound).to.not.equal(undefined);
    expect(new Set(Object.values(spec.policies.retries).map((r) => r.policy))).to.deep.equal(new Set(['constant', 'exponential']));
    for (const cb of Object.values(spec.policies.circuitBreakers)) expect(cb.trip).to.match(/^consecutiveFailures > \d+$/);
  });

  it("notification-service's declarative subscriptions route to the routes it serves, and only it gets them", () => {
    const subs = resources.filter((r) => r.kind === 'Subscription');
    expect(subs.map((s) => s.apiVersion)).to.deep.equal(['dapr.io/v2alpha1', 'dapr.io/v2alpha1']);
    expect(subs.map((s) => (s.body.spec as { topic: string }).topic).sort()).to.deep.equal([...NOTIFICATION_TOPICS].sort());
    for (const s of subs) {
      const spec = s.body.spec as { topic: string; routes: { default: string } };
      expect(spec.routes.default).to.equal(eventRoute(spec.topic));
      expect(s.body.scopes).to.deep.equal(['notification-service']);
    }
  });

  describe('catches a broken resource (negative)', () => {
    const doctored = (kind: string, name: string, change: (body: Record<string, unknown>) => void): DaprResource[] =>
      resources.map((r) => {
        if (r.kind !== kind || r.name !== name) return r;
        const body = structuredClone(r.body);
        change(body);
        return { ...r, body };
      });

    it('a resiliency target naming an app that does not exist', () => {
      const broken = doctored('Resiliency', 'reference-resiliency', (b) => {
        const targets = (b.spec as { targets: { apps: Record<string, unknown> } }).targets;
        targets.apps['task-servce'] = { retry: 'invokeRetry' };
      });
      const problems = checkResources(broken, appIds);
      expect(problems).to.have.length(1);
      expect(problems[0])
        .to.contain('unknown-app-target')
        .and.to.contain('spec.targets.apps.task-servce')
        .and.to.contain('did you mean "task-service"');
    });

    it('a policy referring to a retry that is not defined', () => {
      const broken = doctored('Resiliency', 'reference-resiliency', (b) => {
        (b.spec as { targets: { apps: Record<string, { retry: string }> } }).targets.apps['task-service'] = { retry: 'missingRetry' };
      });
      const problems = checkResources(broken, appIds);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.contain('spec.targets.apps.task-service.retry: no retry policy named "missingRetry"');
    });

    it('a password committed in clear', () => {
      const broken = doctored('Component', 'statestore', (b) => {
        const meta = (b.spec as { metadata: Record<string, unknown>[] }).metadata;
        const item = meta.find((m) => m.name === 'redisPassword') as Record<string, unknown>;
        delete item.secretKeyRef;
        item.value = 'hunter2';
      });
      expect(checkResources(broken, appIds)).to.deep.equal([
        'Component statestore: redisPassword is committed as a value; reference a secret with secretKeyRef instead',
      ]);
    });

    it('an unscoped declarative subscription, and an access policy without its namespace', () => {
      let broken = doctored('Subscription', 'notification-task-created', (b) => void delete b.scopes);
      broken = broken.map((r) => (r.kind === 'Configuration' ? { ...r, body: structuredClone(r.body) } : r));
      const config = broken.find((r) => r.kind === 'Configuration') as DaprResource;
      delete (
        (config.body.spec as { accessControl: { policies: Record<string, unknown>[] } }).accessControl.policies[0] as Record<
          string,
          unknown
        >
      ).namespace;
      expect(checkResources(broken, appIds)).to.deep.equal([
        'Configuration daprconfig: access policy for sample-app needs namespace',
        'Subscription notification-task-created: no scopes, so every app of the deployment would subscribe',
      ]);
    });
  });
});

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
function natsSubjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const t = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return t.length > i;
    if (i >= t.length || (p[i] !== '*' && p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}
