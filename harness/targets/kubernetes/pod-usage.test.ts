import type { PodMetric, V1Node, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { nodeCores, podUsageReadings, processOf, windowMs } from './pod-usage';

const pod = (name: string, opts: { appId?: string; label?: string; node?: string; namespace?: string }): V1Pod => ({
  metadata: {
    name,
    namespace: opts.namespace ?? 'apps',
    ...(opts.appId ? { annotations: { 'dapr.io/app-id': opts.appId } } : {}),
    ...(opts.label ? { labels: { 'app.kubernetes.io/name': opts.label } } : {}),
  },
  spec: { containers: [], nodeName: opts.node ?? 'n1' },
});

const metric = (name: string, containers: [string, string, string][], namespace = 'apps'): PodMetric => ({
  metadata: { name, namespace, selfLink: '', creationTimestamp: '' },
  timestamp: '2026-01-01T00:00:15Z',
  window: '15.5s',
  containers: containers.map(([n, cpu, memory]) => ({ name: n, usage: { cpu, memory } })),
});

describe('pod usage (metrics-server PodMetrics → readings per process)', () => {
  it("names an app's containers by its app id, daprd as <app id>-daprd, and Redis/NATS pods by their label", () => {
    expect(processOf(pod('a', { appId: 'task-service' }), 'app')).to.equal('task-service');
    expect(processOf(pod('a', { appId: 'task-service' }), 'daprd')).to.equal('task-service-daprd');
    expect(processOf(pod('r', { label: 'redis' }), 'redis')).to.equal('redis');
    expect(processOf(pod('x', { label: 'other' }), 'x')).to.equal(undefined);
  });

  it('reads quantities and windows as metrics-server writes them, adding up containers that count as one process', () => {
    const readings = podUsageReadings(
      [
        metric('a-1', [
          ['app', '250000000n', '64Mi'],
          ['log-shipper', '50m', '16Mi'],
          ['daprd', '120m', '40960Ki'],
        ]),
        metric('nats-0', [['nats', '1', '33554432']], 'dapr-system'),
        metric('stranger', [['c', '1', '1Mi']]),
      ],
      [pod('a-1', { appId: 'task-service' }), pod('nats-0', { label: 'nats', namespace: 'dapr-system' }), pod('stranger', {})],
    );
    const at = Date.parse('2026-01-01T00:00:15Z');
    expect(readings).to.deep.equal([
      { process: 'task-service', pod: 'a-1', at, windowMs: 15_500, cores: 0.3, memoryMb: 80 },
      { process: 'task-service-daprd', pod: 'a-1', at, windowMs: 15_500, cores: 0.12, memoryMb: 40 },
      { process: 'nats', pod: 'nats-0', at, windowMs: 15_500, cores: 1, memoryMb: 32 },
    ]);
  });

  it('parses Go durations and sums the allocatable CPU of the nodes that run counted pods only', () => {
    expect([windowMs('15s'), windowMs('10.25s'), windowMs('1m'), windowMs('500ms'), windowMs('?')]).to.deep.equal([
      15_000, 10_250, 60_000, 500, 0,
    ]);
    const nodes: V1Node[] = ['n1', 'n2', 'n3'].map((name) => ({
      metadata: { name },
      status: { allocatable: { cpu: name === 'n2' ? '1500m' : '4' } },
    }));
    expect(nodeCores(nodes, [pod('a', { node: 'n1' }), pod('b', { node: 'n2' }), pod('c', { node: 'n1' })])).to.equal(5.5);
    expect(nodeCores(nodes, [])).to.equal(undefined);
  });
});
