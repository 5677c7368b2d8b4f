import { expect } from 'chai';
import { join } from 'node:path';
import { daprOperatorChecks, type OperatorContext } from './support/dapr-operator-checks';
import { daprResourceChecks } from './support/dapr-resource-checks';
import { injectorAnnotations } from './support/injector-annotations';
import { knownServices } from './support/known-services';
import { loadDaprReference } from './support/manifest-validator';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { renderKustomization } from './support/render-kustomization';

interface PodTemplate {
  metadata: { annotations: Record<string, string>; labels: Record<string, string> };
  spec: {
    containers: {
      name: string;
      env: { name: string; value?: string }[];
      ports: { containerPort: number }[];
      resources: { requests: Record<string, string>; limits: Record<string, string> };
      readinessProbe?: unknown;
    }[];
  };
}

/** What a Dapr operator checks before `kubectl apply -k k8s`, over the rendered objects. */
describe('k8s manifests: what a Dapr operator checks', function () {
  this.timeout(240_000);
  let ctx: OperatorContext;
  let rendered: Manifest[];

  before(function () {
    const { moduleDir } = loadDaprReference();
    ctx = { knownServices: knownServices(), injectorAnnotations: injectorAnnotations(moduleDir) };
    rendered = [...renderKustomization(join(REPO_ROOT, 'k8s')), ...renderKustomization(join(REPO_ROOT, 'k8s/dapr-system'))];
  });

  const copy = (): Manifest[] => structuredClone(rendered);
  const deployment = (ms: Manifest[], name: string): Manifest => {
    const d = ms.find((m) => m.kind === 'Deployment' && m.metadata.name === name);
    if (!d) throw new Error(`no Deployment ${name}`);
    return d;
  };
  const template = (d: Manifest): PodTemplate => (d.spec as { template: PodTemplate }).template;

  it('knows the services the image can run', function () {
    expect(ctx.knownServices).to.include.members([
      'sample-app',
      'task-service',
      'notification-service',
      'audit-service',
      'analytics-service',
      'preferences-service',
    ]);
  });

  it('finds nothing wrong with the reference deployment', function () {
    expect(daprOperatorChecks(rendered, ctx)).to.deep.equal([]);
  });

  it('finds no dangling reference between Dapr resources and apps', function () {
    expect(daprResourceChecks(rendered, ctx.knownServices)).to.deep.equal([]);
  });

  it('autoscales sample-app and task-service between 1 and 50 pods on CPU', function () {
    const hpas = rendered.filter((m) => m.kind === 'HorizontalPodAutoscaler');
    const targets = hpas.map((h) => (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name);
    expect(targets).to.include.members(['sample-app', 'task-service']);
    for (const h of hpas) {
      const spec = h.spec as {
        metrics: { resource?: { name: string; target: { averageUtilization?: number } } }[];
        behavior?: { scaleUp?: unknown; scaleDown?: unknown };
      };
      const cpu = spec.metrics.find((m) => m.resource?.name === 'cpu');
      expect(cpu?.resource?.target.averageUtilization, `${h.metadata.name} CPU target`).to.be.within(50, 70);
      expect(spec.behavior?.scaleUp, `${h.metadata.name} scaleUp`).to.be.an('object');
      expect(spec.behavior?.scaleDown, `${h.metadata.name} scaleDown`).to.be.an('object');
    }
  });

  it('runs preferences-service with at least two replicas', function () {
    expect((deployment(rendered, 'preferences-service').spec as { replicas?: number }).replicas).to.be.at.least(2);
  });

  describe('reports a broken deployment', function () {
    it('an app-id that is not a service', function () {
      const ms = copy();
      template(deployment(ms, 'audit-service')).metadata.annotations['dapr.io/app-id'] = 'audit-svc';
      const issues = daprOperatorChecks(ms, ctx).join('\n');
      expect(issues).to.match(/dapr\.io\/app-id audit-svc is not a known service/);
      expect(issues).to.match(/service audit-service has no Dapr-enabled Deployment/);
    });

    it('two Deployments with one app-id', function () {
      const ms = copy();
      template(deployment(ms, 'audit-service')).metadata.annotations['dapr.io/app-id'] = 'analytics-service';
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/app-id analytics-service is also used by/);
    });

    it('an app-port that is not the container port', function () {
      const ms = copy();
      template(deployment(ms, 'sample-app')).metadata.annotations['dapr.io/app-port'] = '3000';
      const issues = daprOperatorChecks(ms, ctx).join('\n');
      expect(issues).to.match(/Deployment\/sample-app: dapr\.io\/app-port 3000 is not a port of container app/);
      expect(issues).to.match(/but the app listens on APP_PORT=8080/);
    });

    it('a container that runs another service than its app-id', function () {
      const ms = copy();
      const env = template(deployment(ms, 'task-service')).spec.containers[0]?.env ?? [];
      const service = env.find((e) => e.name === 'SERVICE');
      if (service) service.value = 'sample-app';
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/runs SERVICE=sample-app but its sidecar is app-id task-service/);
    });

    it('a Configuration that does not exist', function () {
      const ms = copy();
      template(deployment(ms, 'sample-app')).metadata.annotations['dapr.io/config'] = 'tracing';
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(
        /dapr\.io\/config names Configuration tracing, which is not among the rendered resources/,
      );
    });

    it('a misspelt or missing Dapr annotation', function () {
      const ms = copy();
      const annotations = template(deployment(ms, 'notification-service')).metadata.annotations;
      annotations['dapr.io/enable-metric'] = annotations['dapr.io/enable-metrics'] as string;
      delete annotations['dapr.io/enable-metrics'];
      const issues = daprOperatorChecks(ms, ctx).join('\n');
      expect(issues).to.match(/annotation dapr\.io\/enable-metric is not one Dapr's injector reads/);
      expect(issues).to.match(/lacks annotation dapr\.io\/enable-metrics/);
    });

    it('a Prometheus scrape port that is not the sidecar metrics port', function () {
      const ms = copy();
      template(deployment(ms, 'sample-app')).metadata.annotations['prometheus.io/port'] = '8080';
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/prometheus\.io\/port 8080 is not the sidecar's dapr\.io\/metrics-port 9090/);
    });

    it('a sidecar request above its limit', function () {
      const ms = copy();
      template(deployment(ms, 'sample-app')).metadata.annotations['dapr.io/sidecar-memory-request'] = '2Gi';
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/sidecar memory: request 2Gi exceeds limit 512Mi/);
    });

    it('a container without limits or probes', function () {
      const ms = copy();
      const c = template(deployment(ms, 'analytics-service')).spec.containers[0];
      if (c) {
        delete (c.resources as Partial<typeof c.resources>).limits;
        delete c.readinessProbe;
      }
      const issues = daprOperatorChecks(ms, ctx).join('\n');
      expect(issues).to.match(/analytics-service container app: no cpu limits/);
      expect(issues).to.match(/analytics-service container app: no readinessProbe/);
    });

    it('a Job container without resources', function () {
      const ms = copy();
      const job = ms.find((m) => m.kind === 'Job') as Manifest;
      const c = (job.spec as { template: PodTemplate }).template.spec.containers[0];
      if (c) delete (c as Partial<typeof c>).resources;
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/Job\/jetstream-stream-tasks container create-stream: no cpu requests/);
    });

    it('an HPA that targets a Deployment that does not exist', function () {
      const ms = copy();
      const hpa = ms.find((m) => m.kind === 'HorizontalPodAutoscaler') as Manifest;
      (hpa.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'sample-ap';
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/scaleTargetRef apps\/v1 Deployment\/sample-ap is not a rendered Deployment/);
    });

    it('an HPA with other bounds than 1 to 50', function () {
      const ms = copy();
      const hpa = ms.find((m) => m.kind === 'HorizontalPodAutoscaler') as Manifest;
      Object.assign(hpa.spec as object, { minReplicas: 2, maxReplicas: 10 });
      const issues = daprOperatorChecks(ms, ctx).join('\n');
      expect(issues).to.match(/minReplicas is 2, expected 1/);
      expect(issues).to.match(/maxReplicas is 10, expected 50/);
    });

    it('an autoscaled Deployment that pins its replica count, or a sidecar without a cpu request', function () {
      const ms = copy();
      const d = deployment(ms, 'task-service');
      (d.spec as { replicas?: number }).replicas = 3;
      delete template(d).metadata.annotations['dapr.io/sidecar-cpu-request'];
      const issues = daprOperatorChecks(ms, ctx).join('\n');
      expect(issues).to.match(/Deployment\/task-service sets spec\.replicas/);
      expect(issues).to.match(/the Dapr sidecar of Deployment\/task-service has no cpu request/);
    });

    it('a Service whose selector matches no pods', function () {
      const ms = copy();
      const svc = ms.find((m) => m.kind === 'Service' && m.metadata.name === 'sample-app') as Manifest;
      (svc.spec as { selector: Record<string, string> }).selector = { 'app.kubernetes.io/name': 'sampleapp' };
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/Service\/sample-app: selector .* matches no Deployment's pods/);
    });

    it('a pod that may run as root', function () {
      const ms = copy();
      const spec = template(deployment(ms, 'audit-service')).spec as { securityContext?: unknown };
      delete spec.securityContext;
      expect(daprOperatorChecks(ms, ctx).join('\n')).to.match(/audit-service: pod securityContext\.runAsNonRoot is not true/);
    });

    it('a subscription on a missing pub/sub, a resiliency target for an unknown app, a policy for another namespace', function () {
      const ms = copy();
      const sub = ms.find((m) => m.kind === 'Subscription') as Manifest;
      (sub.spec as { pubsubname: string }).pubsubname = 'pubsub-typo';
      const res = ms.find((m) => m.kind === 'Resiliency') as Manifest;
      (res.spec as { targets: { apps: Record<string, unknown> } }).targets.apps['ghost-service'] = { retry: 'noSuchRetry' };
      const config = ms.find((m) => m.kind === 'Configuration') as Manifest;
      (config.spec as Record<string, unknown>).accessControl = {
        defaultAction: 'allow',
        trustDomain: 'public',
        policies: [{ appId: 'sample-app', namespace: 'default', trustDomain: 'public' }],
      };
      const issues = daprResourceChecks(ms, ctx.knownServices).join('\n');
      expect(issues).to.match(/pubsubname pubsub-typo is not a pub\/sub Component/);
      expect(issues).to.match(/targets\.apps\.ghost-service names app id ghost-service, which is not a known service/);
      expect(issues).to.match(/targets\.apps\.ghost-service\.retry names no retry policy \(noSuchRetry\)/);
      expect(issues).to.match(/accessControl\.policies\[0\] is for namespace default, but the apps run in dapr-harness/);
    });
  });
});
