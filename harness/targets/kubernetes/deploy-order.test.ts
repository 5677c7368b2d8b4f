import { expect } from 'chai';
import { orderForApply } from './deploy-k8s';
import { defaultReach, inClusterEndpoints } from './sidecar-access';

describe('orderForApply', () => {
  it('puts namespaces, CRDs and what others refer to first, keeping the rendered order otherwise', () => {
    const kinds = ['Deployment', 'Component', 'Service', 'CustomResourceDefinition', 'Namespace', 'ConfigMap', 'HorizontalPodAutoscaler'];
    const ordered = orderForApply(kinds.map((kind, i) => ({ apiVersion: 'v1', kind, metadata: { name: `o${i}` } })));
    expect(ordered.map((o) => o.kind)).to.deep.equal([
      'Namespace',
      'CustomResourceDefinition',
      'ConfigMap',
      'Service',
      'Deployment',
      'Component',
      'HorizontalPodAutoscaler',
    ]);
  });
});

describe('in-cluster sidecar addresses', () => {
  const pod = (name: string, podIP: string, ready = true) => ({
    name,
    podIP,
    ready,
    hasDaprd: true,
    ports: { http: 3500, grpc: 50001, internal: 50002, metrics: 9090 },
  });

  it("use the headless <app-id>-dapr Service for the sidecar and each ready pod's IP for the app", () => {
    const apps = inClusterEndpoints(
      [
        {
          appId: 'orders',
          deployment: 'orders',
          namespace: 'shop',
          desiredReplicas: 3,
          appPort: 8080,
          pods: [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', false), pod('c', '10.0.0.3')],
        },
      ],
      'corp.internal',
    );
    expect(apps.map((a) => [a.instance, a.appUrl, a.sidecar.httpUrl])).to.deep.equal([
      [0, 'http://10.0.0.1:8080', 'http://orders-dapr.shop.svc.corp.internal:3500'],
      [1, 'http://10.0.0.3:8080', 'http://orders-dapr.shop.svc.corp.internal:3500'],
    ]);
  });

  it('is the default only inside a pod', () => {
    expect(defaultReach({ KUBERNETES_SERVICE_HOST: '10.96.0.1' })).to.equal('in-cluster');
    expect(defaultReach({})).to.equal('port-forward');
  });
});
