import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors/harness-error';
import { loadResiliencyFiles, parseResiliencyYaml, type ResiliencyDocument } from './resiliency-document';
import type { ResiliencyFinding } from './resiliency-finding';
import { effectivePolicy, resolvePolicies, type DeploymentShape, type ResolvedResiliency } from './resiliency-policy';

const fixture = (name: string): ResiliencyDocument[] => loadResiliencyFiles([fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))]);

function doc(source: string, body: string, header = ''): ResiliencyDocument[] {
  return parseResiliencyYaml(
    `apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: ${source.replace(/\W/g, '-')}\n${header}spec:\n${body}`,
    source,
  );
}

function codes(resolved: ResolvedResiliency, severity?: 'warning' | 'info'): string[] {
  return resolved.findings.filter((f) => !severity || f.severity === severity).map((f) => f.code);
}

function finding(resolved: ResolvedResiliency, code: string, field?: string): ResiliencyFinding {
  const found = resolved.findings.find((f) => f.code === code && (field === undefined || f.field === field));
  if (!found) throw new Error(`no ${code} finding${field ? ` for ${field}` : ''}; got ${JSON.stringify(resolved.findings, null, 1)}`);
  return found;
}

const sampleDeployment: DeploymentShape = {
  appIds: ['sample-app'],
  components: [
    { name: 'statestore', type: 'state.redis' },
    { name: 'pubsub', type: 'pubsub.jetstream' },
  ],
};

describe('resolving Resiliency policies', () => {
  describe('the default-policies page example', () => {
    // The page's solution: three apps, three components, two actor types, resolved from any one caller.
    const shape: DeploymentShape = {
      appIds: ['appA', 'appB', 'appC'],
      components: [
        { name: 'pubsub', type: 'pubsub.redis' },
        { name: 'statestore', type: 'state.redis' },
        { name: 'actorstore', type: 'state.azure.cosmosdb' },
      ],
      actorTypes: ['EventActor', 'SummaryActor'],
      scopes: ['appA'],
    };
    const resolved = resolvePolicies(fixture('docs-default-policies.yaml'), shape);
    const retryOf = (query: Parameters<typeof effectivePolicy>[1]): string | undefined => effectivePolicy(resolved, query).retry?.name;

    it("applies the policies of the page's table", () => {
      expect(retryOf({ app: 'appA' })).to.equal('fastRetries');
      expect(retryOf({ app: 'appB' })).to.equal('retryForever');
      expect(retryOf({ app: 'appC' })).to.equal('DefaultAppRetryPolicy');
      expect(retryOf({ component: 'pubsub', direction: 'outbound' })).to.equal('DefaultRetryPolicy');
      expect(retryOf({ component: 'pubsub', direction: 'inbound' })).to.equal('DefaultComponentInboundRetryPolicy');
      expect(retryOf({ component: 'statestore' })).to.equal('DefaultStatestoreComponentOutboundRetryPolicy');
      expect(retryOf({ component: 'actorstore' })).to.equal('fastRetries');
      expect(retryOf({ actor: 'EventActor' })).to.equal('retryForever');
      expect(retryOf({ actor: 'SummaryActor' })).to.equal('DefaultActorRetryPolicy');
    });

    it('keeps the built-in service retries only for apps without a named target', () => {
      expect(effectivePolicy(resolved, { app: 'appC' })).to.include({ source: 'default' });
      expect(effectivePolicy(resolved, { app: 'appC' }).builtInRetry).to.include({
        name: 'DaprBuiltInServiceRetries',
        maxRetries: 3,
        durationMs: 1000,
      });
      expect(effectivePolicy(resolved, { app: 'appA' }).builtInRetry).to.equal(undefined);
      expect(effectivePolicy(resolved, { app: 'appA' }).source).to.equal('named');
    });

    it('finds every policy in use', () => {
      expect(codes(resolved)).not.to.include('unused-policy');
      expect(codes(resolved, 'warning')).to.deep.equal([]);
    });
  });

  describe('the complete example, with scopes', () => {
    const shape: DeploymentShape = {
      appIds: ['app1', 'app2', 'appB'],
      components: [
        { name: 'statestore1', type: 'state.redis' },
        { name: 'pubsub1', type: 'pubsub.redis' },
        { name: 'pubsub2', type: 'pubsub.jetstream' },
      ],
    };
    const resolved = resolvePolicies(fixture('docs-complete-example.yaml'), shape);

    it('applies the document only on the sidecars it is scoped to', () => {
      const fromApp1 = effectivePolicy(resolved, { sidecar: 'app1', app: 'appB' });
      expect(fromApp1.source).to.equal('named');
      expect(fromApp1.timeout).to.deep.equal({ name: 'general', timeoutMs: 5000 });
      expect(fromApp1.retry).to.include({ name: 'important', maxRetries: 30, durationMs: 5000 });
      expect(fromApp1.circuitBreaker?.name).to.equal('simpleCB');
      expect(fromApp1.breakerScope).to.equal('endpoint');
      const fromAppB = effectivePolicy(resolved, { sidecar: 'appB', app: 'appB' });
      expect(fromAppB).to.include({ source: 'none' });
      expect(fromAppB.retry).to.equal(undefined);
      expect(fromAppB.builtInRetry?.name).to.equal('DaprBuiltInServiceRetries');
      expect(resolved.sidecars.map((s) => [s.appId, s.documents.length])).to.deep.equal([
        ['app1', 1],
        ['app2', 1],
        ['appB', 0],
      ]);
    });

    it('resolves component targets per direction, inbound only for kinds that deliver to the app', () => {
      const state = resolved.sidecars[0]?.components.filter((e) => e.target.kind === 'component' && e.target.name === 'statestore1');
      expect(state?.map((e) => e.target.kind === 'component' && e.target.direction)).to.deep.equal(['outbound']);
      const outbound = effectivePolicy(resolved, { sidecar: 'app1', component: 'pubsub2', direction: 'outbound' });
      const inbound = effectivePolicy(resolved, { sidecar: 'app1', component: 'pubsub2', direction: 'inbound' });
      expect([outbound.retry?.name, outbound.circuitBreaker?.name, outbound.timeout]).to.deep.equal(['pubsubRetry', 'pubsubCB', undefined]);
      expect([inbound.retry?.name, inbound.circuitBreaker?.name, inbound.timeout?.name]).to.deep.equal([
        'important',
        'pubsubCB',
        'general',
      ]);
      // pubsub1 names only outbound, which leaves its inbound with nothing.
      expect(effectivePolicy(resolved, { sidecar: 'app1', component: 'pubsub1', direction: 'inbound' })).to.include({ source: 'named' });
      expect(effectivePolicy(resolved, { sidecar: 'app1', component: 'pubsub1', direction: 'inbound' }).retry).to.equal(undefined);
      expect(effectivePolicy(resolved, { sidecar: 'app1', actor: 'myActorType' }).breakerScope).to.equal('both');
    });

    it('reports the policies no target uses and the breaker pubsub2 shares between directions', () => {
      const unused = resolved.findings.filter((f) => f.code === 'unused-policy').map((f) => f.field);
      expect(unused).to.have.members([
        'spec.policies.timeouts.important',
        'spec.policies.timeouts.largeResponse',
        'spec.policies.retries.someOperation',
        'spec.policies.retries.largeResponse',
      ]);
      expect(finding(resolved, 'unused-policy', 'spec.policies.retries.someOperation').message).to.contain('no target names it');
      expect(finding(resolved, 'shared-component-breaker')).to.include({ severity: 'info', field: 'spec.targets.components.pubsub2' });
    });
  });

  describe('the targets page examples', () => {
    const resolved = resolvePolicies(fixture('docs-targets.yaml'), {
      appIds: ['caller', 'appB'],
      components: [
        { name: 'myStateStore', type: 'state.redis' },
        { name: 'myInputBinding', type: 'bindings.kafka' },
        { name: 'myPubsub', type: 'pubsub.redis' },
      ],
      actorTypes: ['myActorType'],
      scopes: ['caller'],
    });

    it('applies inbound policies to input bindings and pub/sub deliveries, outbound to calls', () => {
      const binding = effectivePolicy(resolved, { component: 'myInputBinding', direction: 'inbound' });
      expect([binding.timeout?.name, binding.retry?.name, binding.circuitBreaker?.name]).to.deep.equal(['general', 'general', 'general']);
      const state = effectivePolicy(resolved, { component: 'myStateStore' });
      expect([state.retry?.name, state.circuitBreaker?.name]).to.deep.equal(['retryForever', 'simpleCB']);
      const publish = effectivePolicy(resolved, { component: 'myPubsub', direction: 'outbound' });
      expect([publish.retry?.name, publish.circuitBreaker?.name]).to.deep.equal(['pubsubRetry', 'pubsubCB']);
      expect(effectivePolicy(resolved, { actor: 'myActorType' }).breakerScope).to.equal('both');
    });

    it("warns that myPubsub's two breakers are one instance in daprd", () => {
      const shared = finding(resolved, 'shared-component-breaker');
      expect(shared).to.include({ severity: 'warning', field: 'spec.targets.components.myPubsub' });
      expect(shared.message).to.contain('"general"').and.contain('"pubsubCB"');
      expect(codes(resolved)).not.to.include('unused-policy');
    });
  });

  describe('findings for policies that apply to nothing', () => {
    it('flags a target app id that is not deployed, suggesting the closest', () => {
      const resolved = resolvePolicies(
        doc(
          'r.yaml',
          '  policies:\n    retries:\n      fast:\n        maxRetries: 3\n  targets:\n    apps:\n      sampel-app:\n        retry: fast\n',
        ),
        sampleDeployment,
      );
      const f = finding(resolved, 'unknown-app-target');
      expect(f).to.include({ severity: 'warning', document: 'r.yaml', field: 'spec.targets.apps.sampel-app' });
      expect(f.message).to.contain('did you mean "sample-app"');
      expect(finding(resolved, 'unused-policy', 'spec.policies.retries.fast').message).to.contain('not in this deployment');
    });

    it('flags component targets that do not exist, take no policy, or never call the app', () => {
      const resolved = resolvePolicies(
        doc(
          'c.yaml',
          '  policies:\n    retries:\n      fast:\n        maxRetries: 3\n  targets:\n    components:\n      statestor:\n        outbound:\n          retry: fast\n      statestore:\n        inbound:\n          retry: fast\n      tracing:\n        outbound:\n          retry: fast\n',
        ),
        { ...sampleDeployment, components: [...sampleDeployment.components, { name: 'tracing', type: 'middleware.http.opentelemetry' }] },
      );
      expect(finding(resolved, 'unknown-component-target').message).to.contain('did you mean "statestore"');
      expect(finding(resolved, 'inbound-never-used')).to.include({ field: 'spec.targets.components.statestore.inbound' });
      expect(finding(resolved, 'component-without-resiliency').message).to.contain('middleware.http.opentelemetry');
      // The named statestore target names no outbound policy, so its outbound calls get nothing.
      expect(effectivePolicy(resolved, { component: 'statestore' })).to.include({ source: 'named' });
      expect(effectivePolicy(resolved, { component: 'statestore' }).retry).to.equal(undefined);
      expect(resolved.sidecars[0]?.components.some((e) => e.target.kind === 'component' && e.target.name === 'tracing')).to.equal(false);
    });

    it('flags a Resiliency scoped to no running app', () => {
      const resolved = resolvePolicies(
        doc('s.yaml', '  policies:\n    timeouts:\n      DefaultTimeoutPolicy: 5s\n', 'scopes:\n  - checkout\n'),
        sampleDeployment,
      );
      expect(finding(resolved, 'scoped-to-nothing')).to.include({ severity: 'warning', field: 'scopes' });
      expect(finding(resolved, 'scoped-to-nothing').message).to.contain('checkout').and.contain('sample-app');
      expect(resolved.sidecars[0]?.documents).to.deep.equal([]);
      expect(effectivePolicy(resolved, { app: 'sample-app' }).timeout).to.equal(undefined);
    });

    it("flags default names daprd never looks up, including the docs' DefaultSecretstoreComponentTimeoutPolicy", () => {
      const resolved = resolvePolicies(
        doc(
          'd.yaml',
          '  policies:\n    timeouts:\n      DefaultSecretstoreComponentTimeoutPolicy: 5s\n      DefaultRetryPolicy: 5s\n    retries:\n      DefaultStateStoreComponentOutboundRetryPolicy:\n        maxRetries: 3\n',
        ),
        sampleDeployment,
      );
      expect(finding(resolved, 'unused-policy', 'spec.policies.timeouts.DefaultSecretstoreComponentTimeoutPolicy').message).to.contain(
        'daprd never looks up',
      );
      expect(finding(resolved, 'unused-policy', 'spec.policies.timeouts.DefaultRetryPolicy').message).to.contain(
        'among retries, not timeouts',
      );
      expect(finding(resolved, 'unused-policy', 'spec.policies.retries.DefaultStateStoreComponentOutboundRetryPolicy').message).to.contain(
        'did you mean "DefaultStatestoreComponentOutboundRetryPolicy"',
      );
    });

    it('flags a valid default that nothing falls back to', () => {
      const resolved = resolvePolicies(
        doc('d.yaml', '  policies:\n    retries:\n      DefaultLockComponentOutboundRetryPolicy:\n        maxRetries: 3\n'),
        sampleDeployment,
      );
      expect(finding(resolved, 'unused-policy').message).to.contain('no call falls back to it');
    });

    it('flags a breaker that can never open', () => {
      const resolved = resolvePolicies(
        doc(
          'b.yaml',
          '  policies:\n    circuitBreakers:\n      cb:\n        trip: consecutiveSuccesses > 3\n  targets:\n    apps:\n      sample-app:\n        circuitBreaker: cb\n',
        ),
        sampleDeployment,
      );
      expect(finding(resolved, 'breaker-never-trips')).to.include({ document: 'b.yaml', field: 'spec.policies.circuitBreakers.cb' });
    });
  });

  describe('merging documents and scopes', () => {
    it('lets a later document replace a policy of the same name, and says so', () => {
      const docs = [
        ...doc('a.yaml', '  policies:\n    retries:\n      r:\n        maxRetries: 2\n'),
        ...doc(
          'b.yaml',
          '  policies:\n    retries:\n      r:\n        maxRetries: 7\n  targets:\n    apps:\n      sample-app:\n        retry: r\n',
        ),
      ];
      const resolved = resolvePolicies(docs, sampleDeployment);
      expect(effectivePolicy(resolved, { app: 'sample-app' }).retry?.maxRetries).to.equal(7);
      expect(finding(resolved, 'redefined').message).to.contain('a.yaml');
      expect(finding(resolved, 'unused-policy').document).to.equal('a.yaml');
    });

    it('resolves a reference to another document only where both are loaded', () => {
      const docs = [
        ...doc('policies.yaml', '  policies:\n    retries:\n      shared:\n        maxRetries: 4\n', 'scopes:\n  - app1\n'),
        ...doc('targets.yaml', '  targets:\n    apps:\n      app2:\n        retry: shared\n'),
      ];
      const resolved = resolvePolicies(docs, { appIds: ['app1', 'app2'], components: [] });
      expect(effectivePolicy(resolved, { sidecar: 'app1', app: 'app2' }).retry?.maxRetries).to.equal(4);
      expect(effectivePolicy(resolved, { sidecar: 'app2', app: 'app2' }).retry).to.equal(undefined);
      expect(finding(resolved, 'reference-out-of-scope')).to.include({ sidecar: 'app2', field: 'spec.targets.apps.app2.retry' });
    });

    it('does not load components scoped away from a sidecar', () => {
      const resolved = resolvePolicies([], {
        appIds: ['app1', 'app2'],
        components: [{ name: 'orders', type: 'state.redis', scopes: ['app1'] }],
      });
      expect(resolved.sidecars.map((s) => s.components.length)).to.deep.equal([1, 0]);
    });
  });

  describe('named targets and defaults', () => {
    const defaults =
      '  policies:\n    timeouts:\n      DefaultAppTimeoutPolicy: 3s\n      short: 1s\n    retries:\n      DefaultAppRetryPolicy:\n        maxRetries: 2\n      DefaultComponentInboundRetryPolicy:\n        maxRetries: 5\n';

    it('gives a named target only what it names: no default retry, no built-in retries', () => {
      const resolved = resolvePolicies(
        doc('n.yaml', `${defaults}  targets:\n    apps:\n      sample-app:\n        timeout: short\n`),
        sampleDeployment,
      );
      const e = effectivePolicy(resolved, { app: 'sample-app' });
      expect(e.timeout?.name).to.equal('short');
      expect(e.retry).to.equal(undefined);
      expect(e.builtInRetry).to.equal(undefined);
      expect(finding(resolved, 'built-in-retries-off')).to.include({ severity: 'info' });
    });

    it('warns about a named target with no policies', () => {
      const resolved = resolvePolicies(doc('n.yaml', `${defaults}  targets:\n    apps:\n      sample-app: {}\n`), sampleDeployment);
      expect(finding(resolved, 'empty-target')).to.include({ severity: 'warning', field: 'spec.targets.apps.sample-app' });
      expect(effectivePolicy(resolved, { app: 'sample-app' }).source).to.equal('named');
    });

    it('falls back per policy kind to the most specific default', () => {
      const resolved = resolvePolicies(
        doc('d.yaml', `${defaults}    circuitBreakers:\n      DefaultCircuitBreakerPolicy: {}\n`),
        sampleDeployment,
      );
      const app = effectivePolicy(resolved, { app: 'sample-app' });
      expect([app.source, app.timeout?.name, app.retry?.name, app.circuitBreaker?.name]).to.deep.equal([
        'default',
        'DefaultAppTimeoutPolicy',
        'DefaultAppRetryPolicy',
        'DefaultCircuitBreakerPolicy',
      ]);
      const inbound = effectivePolicy(resolved, { component: 'pubsub', direction: 'inbound' });
      expect([inbound.retry?.name, inbound.timeout?.name, inbound.circuitBreaker?.name]).to.deep.equal([
        'DefaultComponentInboundRetryPolicy',
        undefined,
        'DefaultCircuitBreakerPolicy',
      ]);
      expect(effectivePolicy(resolved, { component: 'statestore' }).retry).to.equal(undefined);
    });

    it('uses a redefined DaprBuiltInServiceRetries for apps without a named target', () => {
      const resolved = resolvePolicies(fixture('docs-override-built-in.yaml'), {
        appIds: ['appA', 'appB'],
        components: [],
        scopes: ['appA'],
      });
      expect(effectivePolicy(resolved, { app: 'appA' }).builtInRetry).to.include({
        name: 'DaprBuiltInServiceRetries',
        maxRetries: 10,
        durationMs: 5000,
      });
      expect(effectivePolicy(resolved, { app: 'appB' }).retry?.name).to.equal('retryForever');
      expect(codes(resolved)).not.to.include('unused-policy');
    });

    it('keeps the protected built-in whatever a document says', () => {
      const resolved = resolvePolicies(
        doc('p.yaml', '  policies:\n    retries:\n      DaprBuiltInActorNotFoundRetries:\n        maxRetries: 10\n'),
        sampleDeployment,
      );
      expect(resolved.sidecars[0]?.builtInRetries.DaprBuiltInActorNotFoundRetries.maxRetries).to.equal(5);
      expect(codes(resolved)).to.include('protected-built-in');
    });

    it('keeps default actor breakers one per actor type', () => {
      const resolved = resolvePolicies(doc('a.yaml', '  policies:\n    circuitBreakers:\n      DefaultActorCircuitBreakerPolicy: {}\n'), {
        ...sampleDeployment,
        actorTypes: ['Cart'],
      });
      expect(effectivePolicy(resolved, { actor: 'Cart' })).to.include({ source: 'default', breakerScope: 'type' });
    });
  });

  describe('effects daprd does not announce', () => {
    it('notes status-code matching on a state store, whose errors carry no status', () => {
      const resolved = resolvePolicies(
        doc(
          'm.yaml',
          '  policies:\n    retries:\n      r5xx:\n        maxRetries: 3\n        matching:\n          httpStatusCodes: "500-599"\n  targets:\n    components:\n      statestore:\n        outbound:\n          retry: r5xx\n',
        ),
        sampleDeployment,
      );
      expect(finding(resolved, 'matching-ignored')).to.include({ severity: 'info', sidecar: 'sample-app' });
    });

    it('warns when inbound and outbound name different breakers for one component', () => {
      const resolved = resolvePolicies(
        doc(
          'b.yaml',
          '  policies:\n    circuitBreakers:\n      a: {}\n      b: {}\n  targets:\n    components:\n      pubsub:\n        outbound:\n          circuitBreaker: a\n        inbound:\n          circuitBreaker: b\n',
        ),
        sampleDeployment,
      );
      expect(finding(resolved, 'shared-component-breaker')).to.include({ severity: 'warning' });
      expect(effectivePolicy(resolved, { component: 'pubsub' }).breakerScope).to.equal('component');
    });

    it('rejects documents whose targets name undefined policies', () => {
      const docs = doc('u.yaml', '  targets:\n    apps:\n      sample-app:\n        retry: missing\n');
      let error: unknown;
      try {
        resolvePolicies(docs, sampleDeployment);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(HarnessError);
      expect((error as HarnessError).code).to.equal('RESILIENCY_UNKNOWN_POLICY');
    });
  });

  describe('effectivePolicy lookups', () => {
    const resolved = resolvePolicies([], { appIds: ['a', 'b'], components: [] });

    it('asks which sidecar when several resolve the target', () => {
      let error: unknown;
      try {
        effectivePolicy(resolved, { app: 'a' });
      } catch (err) {
        error = err;
      }
      expect((error as HarnessError).code).to.equal('RESILIENCY_AMBIGUOUS_TARGET');
      expect((error as HarnessError).hint).to.contain('sidecar');
      expect(effectivePolicy(resolved, { sidecar: 'b', app: 'a' }).source).to.equal('none');
    });

    it('names unknown sidecars and targets', () => {
      expect(() => effectivePolicy(resolved, { sidecar: 'c', app: 'a' })).to.throw(HarnessError, 'no sidecar "c"');
      expect(() => effectivePolicy(resolved, { sidecar: 'a', app: 'z' })).to.throw(HarnessError, 'no resolved policy for app "z"');
      expect(() => effectivePolicy(resolved, { sidecar: 'a', component: 'statestore' })).to.throw(
        HarnessError,
        'component "statestore" (outbound)',
      );
    });
  });
});
