import { expect } from 'chai';
import { join } from 'node:path';
import { loadDaprReference, type ManifestValidator } from './support/manifest-validator';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { renderKustomization } from './support/render-kustomization';

/**
 * Every object `kubectl apply -k k8s` and `kubectl apply -k k8s/dapr-system` would send, validated against the
 * schemas: built-in kinds against the Kubernetes schemas, Dapr's kinds against the CRDs of the Dapr release the
 * harness pins, unknown fields refused as under kubectl's default strict field validation. What the API server
 * checks beyond the schema is asked of a real API server: test/kubernetes/api-server-validation.test.ts.
 */
describe('k8s manifests: schemas', function () {
  this.timeout(240_000);
  let validator: ManifestValidator;
  let rendered: Manifest[];

  before(function () {
    validator = loadDaprReference().validator;
    rendered = [
      ...renderKustomization(join(REPO_ROOT, 'k8s')),
      ...renderKustomization(join(REPO_ROOT, 'k8s/dapr-system')),
      ...renderKustomization(join(REPO_ROOT, 'k8s/dapr-system/backing-services')),
    ];
  });

  it('renders the objects of the reference deployment', function () {
    const kinds = new Set(rendered.map((m) => m.kind));
    for (const kind of [
      'Namespace',
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'Component',
      'Configuration',
      'Resiliency',
      'Subscription',
      'Job',
    ]) {
      expect(kinds, `no ${kind} rendered`).to.include(kind);
    }
  });

  it('every rendered object validates against its schema', function () {
    const issues = rendered.flatMap((m) => validator.validate(m));
    expect(issues).to.deep.equal([]);
  });

  it('validates the Dapr kinds it renders without CEL rules it cannot evaluate', function () {
    // x-kubernetes-validations are CEL expressions the API server runs and ajv cannot. None of the kinds used here
    // carries any at this Dapr release; if an upgrade adds some, this says so instead of passing them unseen.
    const used = new Set(rendered.filter((m) => m.apiVersion.startsWith('dapr.io/')).map((m) => `${m.apiVersion}/${m.kind}`));
    const withCel = [...used].filter((k) => validator.dapr.celRules(k) > 0);
    expect(withCel).to.deep.equal([]);
  });

  it('puts every namespaced object in its namespace', function () {
    const app = renderKustomization(join(REPO_ROOT, 'k8s')).filter((m) => m.kind !== 'Namespace');
    expect(app.filter((m) => m.metadata.namespace !== 'dapr-harness').map((m) => `${m.kind}/${m.metadata.name}`)).to.deep.equal([]);
    const system = renderKustomization(join(REPO_ROOT, 'k8s/dapr-system'));
    expect(system.filter((m) => m.metadata.namespace !== 'dapr-system').map((m) => `${m.kind}/${m.metadata.name}`)).to.deep.equal([]);
  });

  describe('rejects broken manifests', function () {
    const byKind = (kind: string): Manifest => {
      const found = rendered.find((m) => m.kind === kind);
      if (!found) throw new Error(`no ${kind} rendered`);
      return structuredClone(found);
    };

    it('a Component without spec.type', function () {
      const c = byKind('Component');
      delete (c.spec as Record<string, unknown>).type;
      expect(validator.validate(c).join('\n')).to.match(/spec: must have required property 'type'/);
    });

    it('a Component with a misspelt field', function () {
      const c = byKind('Component');
      (c.spec as Record<string, unknown>).metdata = [];
      expect(validator.validate(c).join('\n')).to.match(/unknown field "metdata"/);
    });

    it('a Subscription v2alpha1 with the v1alpha1 route field', function () {
      const s = byKind('Subscription');
      const spec = s.spec as Record<string, unknown>;
      delete spec.routes;
      spec.route = '/events';
      const issues = validator.validate(s).join('\n');
      expect(issues).to.match(/must have required property 'routes'/);
      expect(issues).to.match(/unknown field "route"/);
    });

    it('a Resiliency with a retry count given as a string', function () {
      const r = byKind('Resiliency');
      const policies = (r.spec as { policies: { retries: Record<string, Record<string, unknown>> } }).policies;
      const first = Object.values(policies.retries)[0] as Record<string, unknown>;
      first.maxRetries = 'three';
      expect(validator.validate(r).join('\n')).to.match(/maxRetries: must be integer/);
    });

    it('a Dapr object whose annotation value is not a string', function () {
      const c = byKind('Component');
      c.metadata.annotations = { 'dapr-harness.io/jetstream-subjects': 5 as unknown as string };
      expect(validator.validate(c).join('\n')).to.match(/metadata\.annotations.*must be string/);
    });

    it('a Deployment with a string replica count', function () {
      const d = byKind('Deployment');
      (d.spec as Record<string, unknown>).replicas = '3';
      expect(validator.validate(d).join('\n')).to.match(/spec\.replicas: must be integer/);
    });

    it('a Deployment with a misspelt probe field', function () {
      const d = byKind('Deployment');
      const container = (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0] as Record<
        string,
        unknown
      >;
      container.readinesProbe = container.readinessProbe;
      expect(validator.validate(d).join('\n')).to.match(/containers\[0\]\.readinesProbe: unknown field/);
    });

    it('a Deployment with a resource limit that is not a quantity', function () {
      const d = byKind('Deployment');
      const container = (d.spec as { template: { spec: { containers: { resources: { limits: Record<string, unknown> } }[] } } }).template
        .spec.containers[0];
      if (container) container.resources.limits.memory = 'lots';
      expect(validator.validate(d).join('\n')).to.match(/resources\.limits\.memory/);
    });

    it('an HPA without maxReplicas', function () {
      const h = byKind('HorizontalPodAutoscaler');
      delete (h.spec as Record<string, unknown>).maxReplicas;
      expect(validator.validate(h).join('\n')).to.match(/spec: must have required property '?maxReplicas/);
    });

    it('a kind it has no schema for', function () {
      const odd: Manifest = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
      expect(validator.validate(odd).join('\n')).to.match(/no schema for example\.com\/v1 Widget/);
    });

    it('a Dapr kind at a version the CRDs do not serve', function () {
      const c = byKind('Component');
      c.apiVersion = 'dapr.io/v9';
      expect(validator.validate(c).join('\n')).to.match(/no schema for dapr\.io\/v9 Component/);
    });
  });
});
