import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors/harness-error';
import {
  loadResiliencyFiles,
  parseResiliencyDocuments,
  parseResiliencyObject,
  parseResiliencyYaml,
  type ResiliencyDocument,
} from './resiliency-document';

const fixtures = fileURLToPath(new URL('fixtures', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

function only(docs: ResiliencyDocument[]): ResiliencyDocument {
  expect(docs).to.have.length(1);
  return docs[0] as ResiliencyDocument;
}

function rejected(run: () => unknown): HarnessError {
  try {
    run();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(HarnessError);
    expect((err as HarnessError).kind).to.equal('usage');
    return err as HarnessError;
  }
  throw new Error('expected a usage error');
}

function resiliency(spec: string, extra = ''): string {
  return `apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: test\n${extra}spec:\n${spec}`;
}

function dir(files: Record<string, string>): string {
  const path = mkdtempSync(join(tmpdir(), 'resiliency-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return path;
}

describe('Resiliency documents', () => {
  describe('the documentation examples', () => {
    it('reads the complete example with every default daprd fills in', () => {
      const doc = only(loadResiliencyFiles([fixture('docs-complete-example.yaml')]));
      expect(doc.name).to.equal('myresiliency');
      expect(doc.scopes).to.deep.equal(['app1', 'app2']);
      expect(doc.source).to.equal(fixture('docs-complete-example.yaml'));
      expect(doc.policies.timeouts).to.deep.equal({
        general: { name: 'general', timeoutMs: 5000 },
        important: { name: 'important', timeoutMs: 60_000 },
        largeResponse: { name: 'largeResponse', timeoutMs: 10_000 },
      });
      const { pubsubRetry, retryForever, someOperation } = doc.policies.retries;
      expect(pubsubRetry).to.include({ policy: 'constant', durationMs: 5000, maxRetries: 10 });
      expect(retryForever).to.include({
        policy: 'exponential',
        maxIntervalMs: 15_000,
        maxRetries: -1,
        initialIntervalMs: 500,
        multiplier: 1.5,
        randomizationFactor: 0.5,
        maxElapsedMs: 900_000,
      });
      // maxRetries left out means -1: retry without limit.
      expect(someOperation).to.include({ policy: 'exponential', maxIntervalMs: 15_000, maxRetries: -1 });
      expect(pubsubRetry?.matching).to.deep.equal({ httpStatusCodes: null, grpcStatusCodes: null });
      const { simpleCB, pubsubCB } = doc.policies.circuitBreakers;
      expect(simpleCB).to.include({ maxRequests: 1, intervalMs: 0, timeoutMs: 30_000, tripDeclared: true });
      expect(simpleCB?.trip.source).to.equal('consecutiveFailures >= 5');
      expect(pubsubCB).to.include({ maxRequests: 1, intervalMs: 8000, timeoutMs: 45_000 });
      expect(doc.targets.apps).to.deep.equal({
        appB: { timeout: 'general', retry: 'important', circuitBreaker: 'simpleCB', circuitBreakerCacheSize: 0 },
      });
      expect(doc.targets.actors.myActorType).to.deep.equal({
        timeout: 'general',
        retry: 'important',
        circuitBreaker: 'simpleCB',
        circuitBreakerScope: 'both',
        circuitBreakerCacheSize: 5000,
      });
      expect(doc.targets.components.pubsub2).to.deep.equal({
        outbound: { retry: 'pubsubRetry', circuitBreaker: 'pubsubCB' },
        inbound: { timeout: 'general', retry: 'important', circuitBreaker: 'pubsubCB' },
        declared: ['outbound', 'inbound'],
      });
      expect(doc.targets.components.statestore1?.declared).to.deep.equal(['outbound']);
      expect(doc.warnings).to.deep.equal([]);
    });

    it('reads the retry examples, status-code matching included', () => {
      const doc = only(loadResiliencyFiles([fixture('docs-retries.yaml')]));
      expect(doc.policies.retries.retry5xxOnly?.matching).to.deep.equal({
        httpStatusCodes: [
          { start: 429, end: 429 },
          { start: 500, end: 599 },
        ],
        grpcStatusCodes: [
          { start: 1, end: 4 },
          { start: 8, end: 11 },
          { start: 13, end: 13 },
          { start: 14, end: 14 },
        ],
      });
      expect(doc.targets).to.deep.equal({ apps: {}, actors: {}, components: {} });
    });

    it('keeps a redefined built-in retry as written when it retries at least 3 times', () => {
      const doc = only(loadResiliencyFiles([fixture('docs-override-built-in.yaml')]));
      expect(doc.policies.retries.DaprBuiltInServiceRetries).to.include({ policy: 'constant', durationMs: 5000, maxRetries: 10 });
      expect(doc.warnings).to.deep.equal([]);
    });

    it('reads a resources directory as daprd does: yaml files in name order, Resiliency kind only', () => {
      const path = dir({
        'b-resiliency.yaml': resiliency('  policies:\n    timeouts:\n      t: 1s\n').replace('name: test', 'name: second'),
        'a-resiliency.yml': resiliency('  policies:\n    timeouts:\n      t: 2s\n').replace('name: test', 'name: first'),
        'component.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n',
        'notes.txt': 'kind: Resiliency\n',
      });
      expect(loadResiliencyFiles([path]).map((d) => d.name)).to.deep.equal(['first', 'second']);
      expect(loadResiliencyFiles([fixtures]).map((d) => d.name)).to.deep.equal([
        'myresiliency',
        'defaults-example',
        'override-built-in',
        'retries-example',
        'targets-example',
      ]);
    });
  });

  describe('other inputs', () => {
    it('accepts a Kubernetes resource as the API server returns it', () => {
      const doc = parseResiliencyDocuments([
        {
          apiVersion: 'dapr.io/v1alpha1',
          kind: 'Resiliency',
          metadata: {
            name: 'k8s',
            namespace: 'shop',
            uid: 'abc',
            resourceVersion: '7',
            creationTimestamp: '2026-01-01T00:00:00Z',
            managedFields: [{}],
            labels: { a: 'b' },
          },
          scopes: ['cart', 'cart'],
          spec: { policies: { timeouts: { fast: '250ms' } }, targets: { apps: { cart: { timeout: 'fast' } } } },
        },
      ]);
      const k8s = only(doc);
      expect(k8s).to.include({ name: 'k8s', namespace: 'shop', source: 'Resiliency shop/k8s' });
      expect(k8s.scopes).to.deep.equal(['cart']);
      expect(k8s.policies.timeouts.fast?.timeoutMs).to.equal(250);
    });

    it('reads every Resiliency of a multi-document text, skipping other kinds', () => {
      const text = `apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n---\n${resiliency('  policies:\n    timeouts:\n      t: 1s\n')}`;
      const doc = only(parseResiliencyYaml(text, 'all.yaml'));
      expect(doc.source).to.equal('all.yaml (document 2)');
    });

    it('refuses a Resiliency below the first document of a file in self-hosted mode, where daprd never reads it', () => {
      const path = dir({
        'mixed.yaml': `apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n---\n${resiliency('  policies: {}\n')}`,
      });
      const e = rejected(() => loadResiliencyFiles([path]));
      expect(e.code).to.equal('RESILIENCY_NOT_FIRST_DOCUMENT');
      expect(e.message).to.contain('mixed.yaml (document 2)').and.contain('only the first YAML document');
      expect(e.hint).to.contain('file of its own');
      expect(loadResiliencyFiles([path], { selfHosted: false })).to.have.length(1);
    });

    it('resolves policy references across the documents of a set', () => {
      const policies = {
        yaml: resiliency('  policies:\n    retries:\n      shared:\n        maxRetries: 2\n').replace('name: test', 'name: policies'),
        source: 'policies.yaml',
      };
      const targets = {
        yaml: resiliency('  targets:\n    apps:\n      cart:\n        retry: shared\n').replace('name: test', 'name: targets'),
        source: 'targets.yaml',
      };
      expect(parseResiliencyDocuments([policies, targets]).map((d) => d.name)).to.deep.equal(['policies', 'targets']);
      const e = rejected(() => parseResiliencyDocuments([targets]));
      expect(e.code).to.equal('RESILIENCY_UNKNOWN_POLICY');
    });
  });

  describe('values daprd reinterprets', () => {
    it('reads a bare number as milliseconds and says so', () => {
      const doc = only(parseResiliencyYaml(resiliency('  policies:\n    timeouts:\n      general: 500\n'), 'r.yaml'));
      expect(doc.policies.timeouts.general?.timeoutMs).to.equal(500);
      expect(doc.warnings).to.have.length(1);
      expect(doc.warnings[0]).to.include({ code: 'bare-number-duration', document: 'r.yaml', field: 'spec.policies.timeouts.general' });
      expect(doc.warnings[0]?.message).to.contain('500ms').and.contain('"500s"');
    });

    it('warns about fields the back-off policy ignores', () => {
      const doc = only(
        parseResiliencyYaml(
          resiliency(
            '  policies:\n    retries:\n      r:\n        policy: Exponential\n        duration: 2s\n      c:\n        policy: constant\n        maxInterval: 3s\n',
          ),
        ),
      );
      expect(doc.policies.retries.r?.policy).to.equal('exponential');
      expect(doc.warnings.map((w) => [w.code, w.field])).to.deep.equal([
        ['ignored-field', 'spec.policies.retries.r.duration'],
        ['ignored-field', 'spec.policies.retries.c.maxInterval'],
      ]);
    });

    it('raises a redefined built-in retry to 3 retries, -1 included, as daprd does', () => {
      const doc = only(
        parseResiliencyYaml(
          resiliency(
            '  policies:\n    retries:\n      DaprBuiltInServiceRetries:\n        maxRetries: 1\n      DaprBuiltInActorRetries:\n        maxRetries: -1\n',
          ),
        ),
      );
      expect(doc.policies.retries.DaprBuiltInServiceRetries?.maxRetries).to.equal(3);
      expect(doc.policies.retries.DaprBuiltInActorRetries?.maxRetries).to.equal(3);
      expect(doc.warnings.map((w) => w.code)).to.deep.equal(['built-in-raised', 'built-in-raised']);
      expect(doc.warnings[1]?.message).to.contain('unlimited');
    });

    it('warns that the protected built-in cannot be redefined', () => {
      const doc = only(
        parseResiliencyYaml(resiliency('  policies:\n    retries:\n      DaprBuiltInActorNotFoundRetries:\n        maxRetries: 10\n')),
      );
      expect(doc.warnings.map((w) => w.code)).to.deep.equal(['protected-built-in']);
    });

    it("treats a zero circuit breaker timeout and maxRequests as gobreaker's defaults", () => {
      const doc = only(
        parseResiliencyYaml(resiliency('  policies:\n    circuitBreakers:\n      cb:\n        maxRequests: 0\n        timeout: 0s\n')),
      );
      expect(doc.policies.circuitBreakers.cb).to.include({ maxRequests: 1, timeoutMs: 60_000, intervalMs: 0, tripDeclared: false });
      expect(doc.policies.circuitBreakers.cb?.trip.source).to.equal('consecutiveFailures > 5');
      expect(doc.warnings.map((w) => w.code)).to.deep.equal(['zero-breaker-timeout']);
    });
  });

  describe('rejections', () => {
    it('rejects the timeouts page\'s "timeoutName: timeout1", naming file, field and fix', () => {
      const e = rejected(() =>
        parseResiliencyYaml(resiliency('  policies:\n    timeouts:\n      timeoutName: timeout1\n      general: 5s\n'), 'timeouts.yaml'),
      );
      expect(e.code).to.equal('RESILIENCY_INVALID_DURATION');
      expect(e.message).to.equal('timeouts.yaml: spec.policies.timeouts.timeoutName: "timeout1" is not a number followed by a unit');
      expect(e.hint).to.contain('5s').and.contain('1m30s');
    });

    it("rejects the default-policies page's retry written straight under a component", () => {
      const e = rejected(() =>
        parseResiliencyYaml(
          resiliency(
            '  policies:\n    retries:\n      fastRetries:\n        maxRetries: 3\n  targets:\n    components:\n      actorstore:\n        retry: fastRetries\n',
          ),
          'defaults.yaml',
        ),
      );
      expect(e.code).to.equal('RESILIENCY_UNKNOWN_FIELD');
      expect(e.message).to.contain('defaults.yaml: spec.targets.components.actorstore.retry').and.contain('"outbound:"');
      expect(e.hint).to.contain('inbound, outbound');
    });

    it('rejects a target naming an unknown policy, suggesting the closest', () => {
      const e = rejected(() =>
        parseResiliencyDocuments([
          {
            yaml: resiliency(
              '  policies:\n    retries:\n      important:\n        maxRetries: 3\n  targets:\n    apps:\n      appB:\n        retry: importnt\n',
            ),
            source: 'r.yaml',
          },
        ]),
      );
      expect(e.code).to.equal('RESILIENCY_UNKNOWN_POLICY');
      expect(e.message)
        .to.contain('r.yaml: spec.targets.apps.appB.retry')
        .and.contain('no retry policy named "importnt" (did you mean "important"?)');
      expect(e.hint).to.contain('spec.policies.retries').and.contain('important');
    });

    it('says when the named policy exists under another kind', () => {
      const e = rejected(() =>
        parseResiliencyDocuments([
          {
            yaml: resiliency(
              '  policies:\n    timeouts:\n      general: 5s\n  targets:\n    components:\n      pubsub:\n        inbound:\n          circuitBreaker: general\n',
            ),
            source: 'r.yaml',
          },
        ]),
      );
      expect(e.message)
        .to.contain('spec.targets.components.pubsub.inbound.circuitBreaker')
        .and.contain('defined under timeouts, not circuitBreakers');
    });

    it('rejects a misspelt trip counter, which daprd would load and never trip on', () => {
      const e = rejected(() =>
        parseResiliencyYaml(resiliency('  policies:\n    circuitBreakers:\n      cb:\n        trip: consecutiveFailure > 5\n'), 'cb.yaml'),
      );
      expect(e.code).to.equal('RESILIENCY_INVALID_TRIP');
      expect(e.message).to.contain('cb.yaml: spec.policies.circuitBreakers.cb.trip').and.contain('did you mean "consecutiveFailures"');
    });

    it('rejects an unparsable trip expression', () => {
      const e = rejected(() =>
        parseResiliencyYaml(resiliency('  policies:\n    circuitBreakers:\n      cb:\n        trip: consecutiveFailures >\n'), 'cb.yaml'),
      );
      expect(e.message).to.contain('spec.policies.circuitBreakers.cb.trip').and.contain('cannot be parsed');
    });

    it('rejects bad retry fields', () => {
      const retry = (body: string): HarnessError =>
        rejected(() => parseResiliencyYaml(resiliency(`  policies:\n    retries:\n      r:\n${body}`), 'r.yaml'));
      const quoted = retry('        maxRetries: "3"\n');
      expect(quoted.message).to.contain('spec.policies.retries.r.maxRetries').and.contain('quoted');
      expect(quoted.hint).to.contain('without quotes');
      expect(retry('        maxRetries: -2\n').hint).to.contain('-1 for unlimited');
      expect(retry('        maxRetries: 2.5\n').message).to.contain('whole number');
      const typo = retry('        maxRetry: 3\n');
      expect(typo.code).to.equal('RESILIENCY_UNKNOWN_FIELD');
      expect(typo.message).to.contain('unknown field "maxRetry" (did you mean "maxRetries"?)').and.contain('ignore it silently');
      expect(retry('        policy: exponential\n        initialInterval: 1s\n').message).to.contain('always starts at 500ms');
      expect(retry('        policy: linear\n').hint).to.contain('"constant"');
      expect(retry('        duration: -5s\n').message).to.contain('negative');
      expect(retry('        duration: 5 s\n').message).to.contain('unknown unit " s"');
      const spaced = retry('        matching:\n          httpStatusCodes: "429, 500"\n');
      expect(spaced.code).to.equal('RESILIENCY_INVALID_STATUS_CODES');
      expect(spaced.message).to.contain('spec.policies.retries.r.matching').and.contain('space');
      expect(retry('        matching:\n          grpcStatusCodes: "14"\n').message).to.contain('"gRPCStatusCodes"');
    });

    it('rejects an actor circuit breaker without a scope, and an unknown scope', () => {
      const policies = '  policies:\n    circuitBreakers:\n      cb: {}\n';
      const noScope = rejected(() =>
        parseResiliencyYaml(resiliency(`${policies}  targets:\n    actors:\n      a:\n        circuitBreaker: cb\n`), 'a.yaml'),
      );
      expect(noScope.message).to.contain('spec.targets.actors.a.circuitBreakerScope').and.contain('needs a scope');
      expect(noScope.hint).to.contain('type, id or both');
      const badScope = rejected(() =>
        parseResiliencyYaml(
          resiliency(`${policies}  targets:\n    actors:\n      a:\n        circuitBreaker: cb\n        circuitBreakerScope: actor\n`),
        ),
      );
      expect(badScope.message).to.contain('"actor" is not a circuit breaker scope');
    });

    it('rejects the pre-release buildingBlocks section and a singular "scope"', () => {
      const old = rejected(() => parseResiliencyYaml(resiliency('  buildingBlocks:\n    services: {}\n'), 'old.yaml'));
      expect(old.message).to.contain('old.yaml: spec.buildingBlocks').and.contain('"targets"');
      const scope = rejected(() => parseResiliencyYaml(resiliency('  policies: {}\n', 'scope:\n  - app1\n')));
      expect(scope.message).to.contain('Resiliency.scope').and.contain('"scopes"');
    });

    it('rejects non-Resiliency objects, a wrong apiVersion, and broken YAML with its line', () => {
      expect(rejected(() => parseResiliencyObject({ kind: 'Component', metadata: { name: 'x' } }, 'c.yaml')).message).to.contain(
        'c.yaml: kind is "Component", not "Resiliency"',
      );
      expect(rejected(() => parseResiliencyObject('text')).code).to.equal('RESILIENCY_NOT_RESILIENCY');
      expect(
        rejected(() => parseResiliencyYaml(resiliency('  policies: {}\n').replace('dapr.io/v1alpha1', 'dapr.io/v1'))).message,
      ).to.contain('"dapr.io/v1" is not dapr.io/v1alpha1');
      const yaml = rejected(() =>
        parseResiliencyYaml('kind: Resiliency\nspec:\n  policies:\n    timeouts:\n      a: 1s\n      a: 2s\n', 'dup.yaml'),
      );
      expect(yaml.code).to.equal('RESILIENCY_INVALID_YAML');
      expect(yaml.message).to.contain('dup.yaml').and.contain('line 6');
      expect(rejected(() => parseResiliencyYaml(resiliency('  policies:\n    retries: [a, b]\n'))).message).to.contain(
        'expected a mapping, found a list',
      );
    });

    it('rejects missing files and files without a Resiliency', () => {
      expect(rejected(() => loadResiliencyFiles(['/nonexistent/resiliency.yaml'])).code).to.equal('RESILIENCY_FILE_NOT_FOUND');
      const path = dir({ 'component.yaml': 'apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n' });
      expect(rejected(() => loadResiliencyFiles([join(path, 'component.yaml')])).message).to.contain(
        'holds no document with kind: Resiliency',
      );
      expect(loadResiliencyFiles([path])).to.deep.equal([]);
    });
  });
});
