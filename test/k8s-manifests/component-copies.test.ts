import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { renderKustomization } from './support/render-kustomization';
import { differences, loadResourceDocs, resourceDrift, resourceKey, type ResourceDoc } from './support/resource-drift';

const SOURCE_DIR = join(REPO_ROOT, 'dapr-components');
const COPY_DIR = join(REPO_ROOT, 'k8s/components');

/**
 * Fields in which a rendered Dapr resource may differ from dapr-components/: each is patched on purpose in
 * k8s/kustomization.yaml, which says why. Anything else that differs is drift.
 */
const CLUSTER_DIFFERENCES: { kind: string; path: RegExp }[] = [
  { kind: 'Configuration', path: /^spec\.mtls(\.|$)/ },
  { kind: 'Configuration', path: /^spec\.tracing\.zipkin\.endpointAddress$/ },
  { kind: 'Configuration', path: /^spec\.accessControl\.policies\[\d+\]\.namespace$/ },
];

/** What kustomize adds to every object: the namespace and the common labels of k8s/kustomization.yaml. */
function withoutKustomizeAdditions(m: Manifest): Record<string, unknown> {
  const kustomization = parse(readFileSync(join(REPO_ROOT, 'k8s/kustomization.yaml'), 'utf8')) as {
    labels?: { pairs: Record<string, string> }[];
  };
  const added = new Set((kustomization.labels ?? []).flatMap((l) => Object.keys(l.pairs)));
  const copy = structuredClone(m);
  delete copy.metadata.namespace;
  const labels = Object.fromEntries(Object.entries(copy.metadata.labels ?? {}).filter(([k]) => !added.has(k)));
  if (Object.keys(labels).length > 0) copy.metadata.labels = labels;
  else delete copy.metadata.labels;
  return copy;
}

/** How a rendered resource differs from its source beyond what the cluster legitimately changes. */
function unexpectedDifferences(source: ResourceDoc, rendered: Manifest): string[] {
  const kind = String(source.body.kind);
  return differences(source.body, withoutKustomizeAdditions(rendered), '').filter(
    (path) => !CLUSTER_DIFFERENCES.some((d) => d.kind === kind && d.path.test(path)),
  );
}

describe('k8s manifests: copies of dapr-components', function () {
  this.timeout(120_000);
  let sources: ResourceDoc[];
  let rendered: Manifest[];

  before(function () {
    sources = loadResourceDocs(SOURCE_DIR);
    rendered = renderKustomization(join(REPO_ROOT, 'k8s')).filter((m) => m.apiVersion.startsWith('dapr.io/'));
  });

  it('k8s/components holds an exact copy of every resource in dapr-components/', function () {
    expect(sources.length).to.be.greaterThan(0);
    expect(resourceDrift(sources, loadResourceDocs(COPY_DIR))).to.deep.equal([]);
  });

  it('the cluster gets every resource, differing only where k8s/kustomization.yaml patches it', function () {
    const issues: string[] = [];
    for (const source of sources) {
      const r = rendered.find((m) => resourceKey(m) === source.key);
      if (!r) issues.push(`${source.key} is not rendered: list its copy in k8s/components/kustomization.yaml`);
      else issues.push(...unexpectedDifferences(source, r).map((p) => `${source.key}: ${p} differs from ${source.file}`));
    }
    const extra = rendered.filter((m) => !sources.some((s) => s.key === resourceKey(m))).map(resourceKey);
    expect({ issues, extra }).to.deep.equal({ issues: [], extra: [] });
  });

  it('the control plane enforces mTLS whenever the local Configuration asks for it', function () {
    // The cluster copy loses spec.mtls (see CLUSTER_DIFFERENCES), so the setting lives on in the Helm values.
    const config = sources.find((s) => s.body.kind === 'Configuration');
    const wanted = (config?.body.spec as { mtls?: { enabled?: boolean } } | undefined)?.mtls?.enabled !== false;
    const values = parse(readFileSync(join(REPO_ROOT, 'k8s/dapr-system/dapr-values.yaml'), 'utf8')) as {
      global?: { mtls?: { enabled?: boolean } };
    };
    expect(values.global?.mtls?.enabled).to.equal(wanted);
  });

  describe('reports drift', function () {
    const copies = (): ResourceDoc[] => structuredClone(loadResourceDocs(COPY_DIR));

    it('a copy whose metadata value changed', function () {
      const changed = copies();
      const statestore = changed.find((c) => c.key === 'Component/statestore');
      const items = (statestore?.body.spec as { metadata: { name: string; value?: unknown }[] }).metadata;
      const host = items.find((i) => i.name === 'redisHost');
      if (host) host.value = 'redis.elsewhere:6379';
      expect(resourceDrift(sources, changed).join('\n')).to.match(/Component\/statestore: spec\.metadata\[\d+\]\.value differs/);
    });

    it('a missing copy and a copy without a source', function () {
      const changed = copies().filter((c) => c.key !== 'Component/pubsub');
      changed.push({ file: 'k8s/components/extra.yaml', key: 'Component/extra', body: { kind: 'Component', metadata: { name: 'extra' } } });
      const issues = resourceDrift(sources, changed).join('\n');
      expect(issues).to.match(/Component\/pubsub \(.*pubsub\.yaml\) has no copy/);
      expect(issues).to.match(/Component\/extra \(k8s\/components\/extra\.yaml\) is not in the source folder/);
    });

    it('a rendered resource that differs outside the patched fields', function () {
      const source = sources.find((s) => s.body.kind === 'Configuration') as ResourceDoc;
      const r = structuredClone(rendered.find((m) => resourceKey(m) === source.key) as Manifest);
      (r.spec as { metric: { enabled: boolean } }).metric = { enabled: false };
      expect(unexpectedDifferences(source, r)).to.deep.equal(['spec.metric.enabled']);
    });

    it('while the patched fields alone are no drift', function () {
      const source = sources.find((s) => s.body.kind === 'Configuration') as ResourceDoc;
      const r = rendered.find((m) => resourceKey(m) === source.key) as Manifest;
      expect(unexpectedDifferences(source, r)).to.deep.equal([]);
    });
  });
});
