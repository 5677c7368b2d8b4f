import { expect } from 'chai';
import { join } from 'node:path';
import { loadResources, metadataValue, type DaprResource } from '../../harness/targets/local/dapr-resources';
import { DEPENDENCY_NAMES } from '../../harness/targets/kubernetes/workload-dependency';
import { REPO_ROOT, type Manifest } from './support/manifest';
import { renderKustomization } from './support/render-kustomization';

interface Container {
  name: string;
  image?: string;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
}
interface WorkloadSpec {
  template: { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[] } };
  volumeClaimTemplates?: unknown[];
}

/** Redis and NATS without chart repositories must stand in for the chart releases with nothing else changed. */
describe('k8s manifests: Redis and NATS without chart repositories (k8s/dapr-system/backing-services)', function () {
  this.timeout(60_000);
  let rendered: Manifest[];
  let components: DaprResource[];

  before(function () {
    rendered = renderKustomization(join(REPO_ROOT, 'k8s/dapr-system/backing-services'));
    components = loadResources([join(REPO_ROOT, 'dapr-components')]);
  });

  const component = (type: string): DaprResource => {
    const found = components.find((r) => (r.body.spec as { type?: string }).type === type);
    if (!found) throw new Error(`no ${type} component in dapr-components/`);
    return found;
  };
  const find = (kind: string, name: string): Manifest => {
    const found = rendered.find((m) => m.kind === kind && m.metadata.name === name);
    if (!found) throw new Error(`backing-services renders no ${kind} ${name}`);
    return found;
  };
  /** host:port of a service as a pod in another namespace reaches it. */
  const serviceAddress = (name: string, port: string): string => {
    const svc = find('Service', name);
    const ports = (svc.spec as { ports: { name: string; port: number }[] }).ports;
    const p = ports.find((x) => x.name === port);
    return `${name}.${svc.metadata.namespace}.svc.cluster.local:${p?.port}`;
  };

  it('serves Redis at the address and with the password secret the state store names', function () {
    const statestore = component('state.redis');
    expect(metadataValue(statestore, 'redisHost')).to.equal(serviceAddress('redis-master', 'redis'));
    const ref = (statestore.body.spec as { metadata: { name: string; secretKeyRef?: { name: string; key: string } }[] }).metadata.find(
      (m) => m.name === 'redisPassword',
    )?.secretKeyRef;
    const redis = (find('StatefulSet', 'redis-master').spec as WorkloadSpec).template.spec.containers[0];
    const password = redis?.env?.find((e) => e.name === 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef;
    expect(password).to.deep.equal(ref);
  });

  it('serves NATS at the address the pub/sub component names, with JetStream on a volume claim', function () {
    const pubsub = component('pubsub.jetstream');
    expect(metadataValue(pubsub, 'natsURL')).to.equal(`nats://${serviceAddress('nats', 'client')}`);
    const nats = find('StatefulSet', 'nats').spec as WorkloadSpec;
    expect(nats.template.spec.containers[0]?.image ?? '').to.match(/nats-server:\d/);
    expect(nats.volumeClaimTemplates ?? []).to.have.length(1);
  });

  it('labels both so the outage probes find them, in dapr-system', function () {
    const sets = rendered.filter((m) => m.kind === 'StatefulSet');
    expect(sets.map((s) => s.metadata.namespace)).to.deep.equal(['dapr-system', 'dapr-system']);
    const names = sets.map((s) => s.metadata.labels?.['app.kubernetes.io/name']).sort();
    expect(names).to.deep.equal([...DEPENDENCY_NAMES].sort());
    for (const s of sets) {
      expect((s.spec as WorkloadSpec).template.metadata?.labels?.['app.kubernetes.io/name']).to.equal(
        s.metadata.labels?.['app.kubernetes.io/name'],
      );
    }
  });
});
