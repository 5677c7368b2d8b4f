import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { parseAllDocuments } from 'yaml';
import { loadCriteria } from '../../harness/gate/criteria-file';
import { unknownFieldsOf, validateCoreManifest } from '../k8s-manifests/support/kubernetes-schemas';
import type { Manifest } from '../k8s-manifests/support/manifest';
import { renderKustomization } from '../k8s-manifests/support/render-kustomization';
import { thresholdProblems } from './support/criteria-mapping';
import { loadK6Script, resetRuntime } from './support/k6-script';
import { CRITERIA_FILE, K6_DIR, K8S_LOAD_DIR, REPO_ROOT, k6Modules, k6Scripts } from './support/k6-paths';
import { configMapDrift, testRunProblems, type ClusterView, type ScriptFacts } from './support/testrun-checks';

/**
 * k8s/load: the scripts ConfigMap kustomize renders (byte-identical to load/k6), the watcher's RBAC, and one
 * k6-operator TestRun per scenario that points at a script in it, with settings the script reads and addresses
 * the deployment in k8s/ serves.
 */
const NAMESPACE = 'dapr-harness';
const TESTRUN_DIR = join(K8S_LOAD_DIR, 'testruns');
const SCRIPTS_CONFIGMAP = 'dapr-harness-k6-scripts';
const SETTING_CALL = /\b(?:setting|positiveInt|durationMs|baseUrl|subscribers|stages)\(\s*'([A-Z0-9_]+)'/g;

interface TestRunFile {
  file: string;
  doc: Record<string, unknown>;
}

function readTestRuns(): TestRunFile[] {
  return readdirSync(TESTRUN_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const docs = parseAllDocuments(readFileSync(join(TESTRUN_DIR, file), 'utf8'));
      if (docs.length !== 1) throw new Error(`k8s/load/testruns/${file} must hold exactly one TestRun, holds ${docs.length} documents`);
      const [doc] = docs;
      if (!doc || doc.errors.length > 0) throw new Error(`k8s/load/testruns/${file}: ${doc?.errors[0]?.message ?? 'empty'}`);
      return { file, doc: doc.toJS() as Record<string, unknown> };
    });
}

function scriptFacts(): Map<string, ScriptFacts> {
  const facts = new Map<string, ScriptFacts>();
  for (const file of k6Scripts()) {
    const settings = new Set([...readFileSync(join(K6_DIR, file), 'utf8').matchAll(SETTING_CALL)].map((m) => m[1] as string));
    const singleRunner =
      file === 'pubsub.ts'
        ? (): string => 'delivery is measured in teardown(), which the operator runs on one runner only'
        : file === 'autoscale.ts'
          ? (env: Record<string, string>): string | undefined =>
              env.K8S_API ? 'one VU watches replicas, so other runners would have no autoscale_max_replicas sample' : undefined
          : (): undefined => undefined;
    facts.set(file, { settings, singleRunner });
  }
  return facts;
}

function clusterView(load: Manifest[], deployment: Manifest[]): ClusterView {
  const inNamespace = (m: Manifest): boolean => (m.metadata.namespace ?? NAMESPACE) === NAMESPACE;
  const configMaps = new Map(
    load.filter((m) => m.kind === 'ConfigMap' && inNamespace(m)).map((m) => [m.metadata.name, (m.data ?? {}) as Record<string, string>]),
  );
  const serviceAccounts = new Set(load.filter((m) => m.kind === 'ServiceAccount' && inNamespace(m)).map((m) => m.metadata.name));
  const services = new Map(
    deployment
      .filter((m) => m.kind === 'Service' && inNamespace(m))
      .map((m) => [m.metadata.name, ((m.spec as { ports?: { port: number }[] }).ports ?? []).map((p) => p.port)]),
  );
  const daprApps = new Set(
    deployment
      .filter((m) => m.kind === 'Deployment' && inNamespace(m))
      .map((m) => (m.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }).template?.metadata?.annotations ?? {})
      .filter((a) => a['dapr.io/enabled'] === 'true' && a['dapr.io/app-id'])
      .map((a) => a['dapr.io/app-id'] as string),
  );
  return { namespace: NAMESPACE, configMaps, serviceAccounts, services, daprApps };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('k8s/load: k6-operator TestRuns and the scripts ConfigMap', function () {
  this.timeout(120_000);
  let load: Manifest[];
  let cluster: ClusterView;
  let testRuns: TestRunFile[];
  let facts: Map<string, ScriptFacts>;
  const originals = (): Record<string, string> => Object.fromEntries(k6Modules().map((f) => [f, readFileSync(join(K6_DIR, f), 'utf8')]));

  before(function () {
    load = renderKustomization(K8S_LOAD_DIR, undefined, { filesOutsideRoot: true });
    cluster = clusterView(load, renderKustomization(join(REPO_ROOT, 'k8s')));
    testRuns = readTestRuns();
    facts = scriptFacts();
  });

  describe('the kustomization', function () {
    it('renders the scripts ConfigMap, a ServiceAccount, a Role and a RoleBinding, all in dapr-harness and valid', function () {
      expect(load.map((m) => `${m.kind}/${m.metadata.name}`).sort()).to.deep.equal([
        `ConfigMap/${SCRIPTS_CONFIGMAP}`,
        'Role/k6-autoscale-watcher',
        'RoleBinding/k6-autoscale-watcher',
        'ServiceAccount/k6-autoscale-watcher',
      ]);
      for (const m of load) expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).to.equal(NAMESPACE);
      for (const m of load.filter((x) => x.kind === 'ConfigMap' || x.kind === 'ServiceAccount'))
        expect(validateCoreManifest(m), m.kind).to.deep.equal([]);
      const role = load.find((m) => m.kind === 'Role') as Manifest;
      const binding = load.find((m) => m.kind === 'RoleBinding') as Manifest;
      expect(() => new Role(role as never).validate()).to.not.throw();
      expect(() => new RoleBinding(binding as never).validate()).to.not.throw();
      expect(unknownFieldsOf(role, 'V1Role')).to.deep.equal([]);
      expect(unknownFieldsOf(binding, 'V1RoleBinding')).to.deep.equal([]);
    });

    it('lets the watcher get deployments in dapr-harness, and nothing more', function () {
      const role = load.find((m) => m.kind === 'Role') as Manifest & {
        rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      };
      const binding = load.find((m) => m.kind === 'RoleBinding') as Manifest & {
        subjects: { kind: string; name: string }[];
        roleRef: { kind: string; name: string };
      };
      expect(role.rules).to.deep.equal([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }]);
      expect(binding.roleRef).to.deep.include({ kind: 'Role', name: role.metadata.name });
      expect(binding.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: 'k6-autoscale-watcher', namespace: NAMESPACE }]);
    });

    it('the ConfigMap holds every script of load/k6, byte for byte (no drift)', function () {
      const data = cluster.configMaps.get(SCRIPTS_CONFIGMAP) ?? {};
      expect(configMapDrift(data, originals())).to.deep.equal([]);
    });

    it('drift is caught: an edited copy, a script left out, a stray key', function () {
      const data = { ...(cluster.configMaps.get(SCRIPTS_CONFIGMAP) ?? {}) };
      data['invoke.ts'] = `${data['invoke.ts']}\n// edited in the copy only\n`;
      delete data['state.ts'];
      data['old.ts'] = 'export default function () {}';
      expect(configMapDrift(data, originals())).to.deep.equal([
        "the ConfigMap's invoke.ts differs from load/k6/invoke.ts: list load/k6/invoke.ts in k8s/load/kustomization.yaml",
        'load/k6/state.ts is not in the ConfigMap: list it in k8s/load/kustomization.yaml',
        'the ConfigMap holds old.ts, which load/k6 does not have: remove it from k8s/load',
      ]);
    });
  });

  describe('the TestRuns', function () {
    it('one per script in load/k6', function () {
      const files = testRuns.map(
        (t) => ((t.doc.spec as { script?: { configMap?: { file?: string } } }).script?.configMap?.file ?? '?') as string,
      );
      expect(files.sort()).to.deep.equal(k6Scripts());
    });

    it('are well-formed and point at a script of the ConfigMap, with settings the script reads and addresses k8s/ serves', function () {
      const problems = testRuns.flatMap((t) => testRunProblems(`testruns/${t.file}`, t.doc, cluster, facts));
      expect(problems, problems.join('\n')).to.deep.equal([]);
    });

    it('each starts its script without a settings error and keeps criteria.yaml’s thresholds', async function () {
      const criteria = loadCriteria(CRITERIA_FILE).criteria;
      const dir = mkdtempSync(join(tmpdir(), 'k6-testrun-'));
      try {
        // The service account token the autoscale runner would have mounted.
        writeFileSync(join(dir, 'token'), 'token-of-the-test\n');
        for (const t of testRuns) {
          const spec = t.doc.spec as { script: { configMap: { file: string } }; runner: { env?: { name: string; value?: string }[] } };
          const env: Record<string, string> = { K8S_TOKEN_FILE: join(dir, 'token') };
          for (const e of spec.runner.env ?? []) if (typeof e.value === 'string') env[e.name] = e.value;
          resetRuntime();
          const mod = await loadK6Script(join(K6_DIR, spec.script.configMap.file), env);
          const thresholds = mod.options?.thresholds ?? {};
          expect(thresholdProblems(t.file, thresholds, criteria), t.file).to.deep.equal([]);
          if (spec.script.configMap.file !== 'invoke.ts' && spec.script.configMap.file !== 'state.ts')
            expect(Object.keys(thresholds), `${t.file} judges something`).to.not.deep.equal([]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    describe('a broken TestRun is caught', function () {
      const invoke = (): Record<string, unknown> & {
        spec: Record<string, unknown> & { runner: { env: Record<string, unknown>[]; image: string } };
      } => clone(testRuns.find((t) => t.file === 'invoke.yaml')?.doc) as never;
      const problemsOf = (doc: unknown): string[] => testRunProblems('broken.yaml', doc, cluster, facts);

      it('a ConfigMap that does not exist', function () {
        const doc = invoke();
        (doc.spec.script as { configMap: { name: string } }).configMap.name = 'k6-scripts';
        expect(problemsOf(doc)).to.deep.equal([
          `broken.yaml: spec.script.configMap.name 'k6-scripts' is no ConfigMap of k8s/load (there: ${SCRIPTS_CONFIGMAP})`,
        ]);
      });

      it('a script that is not in the ConfigMap', function () {
        const doc = invoke();
        (doc.spec.script as { configMap: { file: string } }).configMap.file = 'invoke.js';
        expect(problemsOf(doc)).to.deep.equal([
          `broken.yaml: spec.script.configMap.file 'invoke.js' is no key of ConfigMap ${SCRIPTS_CONFIGMAP} (keys: autoscale.ts, invoke.ts, pubsub.ts, settings.ts, state.ts)`,
        ]);
      });

      it('parallelism below 1, and a misspelt field', function () {
        const doc = invoke();
        delete doc.spec.parallelism;
        doc.spec.paralelism = 2;
        const problems = problemsOf(doc);
        expect(problems).to.include('broken.yaml: spec.parallelism must be a whole number of at least 1, got undefined');
        expect(problems.some((p) => p.startsWith('broken.yaml: spec.paralelism is not a TestRun field'))).to.equal(true);
        const zero = invoke();
        zero.spec.parallelism = 0;
        expect(problemsOf(zero)).to.deep.equal(['broken.yaml: spec.parallelism must be a whole number of at least 1, got 0']);
      });

      it('a setting the script does not read (a typo)', function () {
        const doc = invoke();
        doc.spec.runner.env.push({ name: 'DAPR_HTPP', value: 'http://task-service-dapr.dapr-harness.svc.cluster.local:3500' });
        expect(problemsOf(doc)).to.have.length(1);
        expect(problemsOf(doc)[0]).to.match(/^broken\.yaml: runner env DAPR_HTPP is not a setting invoke\.ts reads \(it reads .*DAPR_HTTP/);
      });

      it('an address no Service of k8s/ serves, or on the wrong port', function () {
        const doc = invoke();
        const target = doc.spec.runner.env.find((e) => e.name === 'APP_URL') as { value: string };
        target.value = 'http://sample.dapr-harness.svc.cluster.local';
        expect(problemsOf(doc)[0]).to.match(
          /^broken\.yaml: runner env APP_URL: http:\/\/sample\.dapr-harness\.svc\.cluster\.local: no Service sample in k8s\//,
        );
        target.value = 'http://sample-app.dapr-harness.svc.cluster.local:8080';
        expect(problemsOf(doc)).to.deep.equal([
          'broken.yaml: runner env APP_URL: http://sample-app.dapr-harness.svc.cluster.local:8080: Service sample-app serves port 80, not 8080',
        ]);
        target.value = 'http://sample-app.default.svc.cluster.local';
        expect(problemsOf(doc)).to.deep.equal([
          'broken.yaml: runner env APP_URL: http://sample-app.default.svc.cluster.local is in namespace default, the deployment is in dapr-harness',
        ]);
      });

      it('pubsub split over two runners', function () {
        const doc = clone(testRuns.find((t) => t.file === 'pubsub.yaml')?.doc) as { spec: { parallelism: number } };
        doc.spec.parallelism = 2;
        expect(problemsOf(doc)).to.deep.equal([
          'broken.yaml: spec.parallelism must be 1 for pubsub.ts with these settings: delivery is measured in teardown(), which the operator runs on one runner only',
        ]);
      });

      it('an unpinned image, and pod settings Kubernetes would refuse', function () {
        const doc = invoke();
        doc.spec.runner.image = 'grafana/k6:latest';
        doc.spec.runner.env.push({ value: 'no name' });
        (doc.spec.runner as Record<string, unknown>).resources = { limits: { cpu: 'two' } };
        (doc.spec.runner as Record<string, unknown>).containerSecurityContext = {
          allowPrivilegeEscalation: false,
          capability: { drop: ['ALL'] },
        };
        const problems = problemsOf(doc).join('\n');
        expect(problems).to.match(/spec\.runner\.image must name a pinned k6 image/);
        expect(problems).to.match(/spec\.runner: \(container\)\/env\/\d+ must have required property '?name'?$/m);
        expect(problems).to.match(/spec\.runner: \(container\)\/resources\/limits\/cpu/);
        expect(problems).to.match(/spec\.runner: \(container\) securityContext\.capability: unknown field "capability"/);
      });

      it('a service account k8s/load does not create', function () {
        const doc = clone(testRuns.find((t) => t.file === 'autoscale.yaml')?.doc) as { spec: { runner: { serviceAccountName: string } } };
        doc.spec.runner.serviceAccountName = 'k6';
        expect(problemsOf(doc)).to.deep.equal(['broken.yaml: spec.runner.serviceAccountName k6 is no ServiceAccount of k8s/load']);
      });
    });
  });
});
