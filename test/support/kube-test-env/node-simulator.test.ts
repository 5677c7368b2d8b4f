import { expect } from 'chai';
import { parse } from 'yaml';
import { FAKE_NODE_ANNOTATION, fakeNodeManifest, kwokConfigYaml } from './node-simulator';
import { METRICS_API_SERVICE, metricsApiObjects } from '../../../harness/cluster/metrics-server';

interface MetricDoc {
  kind: string;
  spec: { path: string; metrics: { name: string; kind: string; dimension: string; labels?: { name: string }[]; value: string }[] };
}

describe('node simulator and metrics registration: what kwok and the aggregator are given', () => {
  it("kwok serves, per node, the four series metrics-server reads, under the kubelet's names and labels", () => {
    const doc = parse(kwokConfigYaml()) as MetricDoc;
    expect(doc.kind).to.equal('Metric');
    expect(doc.spec.path).to.equal('/metrics/nodes/{nodeName}/metrics/resource');
    const byName = Object.fromEntries(doc.spec.metrics.map((m) => [m.name, m]));
    expect(Object.keys(byName).sort()).to.deep.equal([
      'container_cpu_usage_seconds_total',
      'container_memory_working_set_bytes',
      'node_cpu_usage_seconds_total',
      'node_memory_working_set_bytes',
    ]);
    // CPU must be a counter (metrics-server takes a rate over two scrapes), memory a gauge.
    expect([byName.container_cpu_usage_seconds_total?.kind, byName.node_cpu_usage_seconds_total?.kind]).to.deep.equal([
      'counter',
      'counter',
    ]);
    expect(byName.container_cpu_usage_seconds_total?.value).to.include('CumulativeUsage("cpu"');
    for (const name of ['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes']) {
      expect(byName[name]?.dimension).to.equal('container');
      expect(byName[name]?.labels?.map((l) => l.name)).to.deep.equal(['container', 'namespace', 'pod']);
    }
  });

  it("a fake node carries the annotation kwok manages by, and points metrics-server at kwok's path for it", () => {
    const node = fakeNodeManifest('kwok-node-3') as { metadata: { annotations: Record<string, string> } };
    expect(node.metadata.annotations[FAKE_NODE_ANNOTATION]).to.equal('fake');
    expect(node.metadata.annotations['metrics.k8s.io/resource-metrics-path']).to.equal('/metrics/nodes/kwok-node-3/metrics/resource');
  });

  it('registers metrics.k8s.io at the port metrics-server listens on, verified against the CA it is given', () => {
    const [svc, apiService] = metricsApiObjects(4443, 'PEM') as [
      { spec: { type: string; externalName: string } },
      {
        metadata: { name: string };
        spec: { service: { name: string; namespace: string; port: number }; caBundle: string; insecureSkipTLSVerify?: boolean };
      },
    ];
    expect(svc.spec).to.deep.include({ type: 'ExternalName', externalName: 'localhost' });
    expect(apiService.metadata.name).to.equal(METRICS_API_SERVICE);
    expect(apiService.spec.service).to.deep.equal({ name: 'metrics-server', namespace: 'kube-system', port: 4443 });
    expect(Buffer.from(apiService.spec.caBundle, 'base64').toString()).to.equal('PEM');
    expect(apiService.spec.insecureSkipTLSVerify).to.equal(undefined);
  });
});
