import { expect } from 'chai';
import { exitCodeFor, HarnessError } from '../../harness/errors/harness-error';
import { checkInjection } from '../../harness/targets/kubernetes/injection-check';
import { controlPlaneTable } from '../../harness/targets/kubernetes/control-plane-table';
import {
  inspectKubernetes,
  openKubernetesTarget,
  type KubernetesDeployment,
  type KubernetesTargetOptions,
} from '../../harness/targets/kubernetes/kubernetes-target';
import { PortAllocator } from '../../harness/targets/local/free-port';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';
import {
  apply,
  createAppPod,
  createControlPlane,
  createDaprApp,
  createNamespace,
  DAPR_VERSION,
  daprResources,
  deleteNamespace,
  ensureControlPlane,
  setWorkloadStatus,
  TEST_TRUST_ANCHOR,
  type TestConnection,
  testConnection,
  uniqueNamespace,
} from './support/dapr-cluster-fixtures';

after(stopKubeApiServer);

async function failure(promise: Promise<unknown>): Promise<HarnessError> {
  try {
    const d = (await promise) as KubernetesDeployment;
    await d.stop();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  return expect.fail('expected a failure') as never;
}

describe('Kubernetes target: apps, injection and Dapr resources read from a real API server', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });
  let conn: TestConnection;
  let kubeconfig: string;
  const ns = uniqueNamespace('shop');
  const namespaces = [ns];
  const base = (): KubernetesTargetOptions => ({ kubeconfig, namespace: ns, runId: 'k8s-test', runDir: '/tmp/k8s-test' });

  before(async () => {
    kubeconfig = (await kubeApiServer()).kubeconfigPath;
    conn = await testConnection();
    await ensureControlPlane(conn);
    await createNamespace(conn, ns);
    for (const r of daprResources(ns)) await apply(conn, r);
    await createDaprApp(conn, ns, { name: 'sample-app', replicas: 2 });
    await createDaprApp(conn, ns, { name: 'task-service', appPort: 3000 });
    // Not a Dapr app: the checks must leave it alone.
    await createDaprApp(conn, ns, { name: 'static-site', annotated: false, injected: false });
    await apply(conn, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'redis-master', namespace: ns, labels: { 'app.kubernetes.io/name': 'redis' } },
      spec: {
        serviceName: 'redis-headless',
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': 'redis' } },
          spec: { containers: [{ name: 'redis', image: 'redis:7', ports: [{ containerPort: 6379 }] }] },
        },
      },
    });
  });
  after(async () => {
    for (const n of namespaces) await deleteNamespace(conn, n);
  });

  it('finds every Dapr-enabled Deployment with ready pods carrying daprd, under the app id of its annotation', async () => {
    const report = await checkInjection(conn, ns);
    expect(report.problems).to.deep.equal([]);
    expect(report.apps.map((a) => [a.appId, a.deployment, a.pods.length, a.appPort])).to.deep.equal([
      ['sample-app', 'sample-app', 2, 8080],
      ['task-service', 'task-service', 1, 3000],
    ]);
    const pod = report.apps[0]?.pods[0];
    expect(pod).to.include({ ready: true, hasDaprd: true, daprdAppId: 'sample-app' });
    expect(pod?.ports).to.deep.equal({ http: 3500, grpc: 50001, internal: 50002, metrics: 9090 });
  });

  it('returns a Deployment: resources from the cluster, components, control-plane facts, in-cluster sidecar addresses', async () => {
    const d = await openKubernetesTarget({ ...base(), reach: 'in-cluster', probe: false });
    try {
      expect(d.target).to.equal('kubernetes');
      expect(d.resources?.map((r) => [r.kind, r.name, r.source])).to.deep.equal([
        ['Component', 'pubsub', `${ns}/pubsub`],
        ['Component', 'statestore', `${ns}/statestore`],
        ['Configuration', 'daprconfig', `${ns}/daprconfig`],
        ['Resiliency', 'resiliency', `${ns}/resiliency`],
        ['Subscription', 'notification-task-created', `${ns}/notification-task-created`],
      ]);
      const pubsub = d.resources?.find((r) => r.name === 'pubsub')?.body as Record<string, unknown>;
      expect(pubsub.scopes).to.deep.equal(['task-service', 'notification-service']);
      expect(pubsub.metadata).to.deep.equal({ name: 'pubsub', namespace: ns });
      expect((pubsub.spec as { type: string }).type).to.equal('pubsub.jetstream');
      const sub = d.resources?.find((r) => r.kind === 'Subscription')?.body as { apiVersion: string; spec: unknown };
      expect(sub.apiVersion).to.equal('dapr.io/v2alpha1');
      expect(sub.spec).to.deep.equal({ pubsubname: 'pubsub', topic: 'task.created', routes: { default: '/events/task.created' } });
      expect(d.components).to.deep.equal([
        { name: 'pubsub', type: 'pubsub.jetstream' },
        { name: 'statestore', type: 'state.redis' },
      ]);
      expect(d.mtlsEnabled).to.equal(true);
      expect(d.trustAnchors).to.equal(TEST_TRUST_ANCHOR);
      expect(d.daprVersion).to.equal(DAPR_VERSION);
      expect(d.reach).to.equal('in-cluster');
      expect(d.apps.map((a) => [a.appId, a.instance])).to.deep.equal([
        ['sample-app', 0],
        ['sample-app', 1],
        ['task-service', 0],
      ]);
      expect(d.sidecar('sample-app')).to.deep.equal({
        appId: 'sample-app',
        httpUrl: `http://sample-app-dapr.${ns}.svc.cluster.local:3500`,
        grpcAddress: `sample-app-dapr.${ns}.svc.cluster.local:50001`,
        internalGrpcAddress: `sample-app-dapr.${ns}.svc.cluster.local:50002`,
        metricsUrl: `http://sample-app-dapr.${ns}.svc.cluster.local:9090/metrics`,
      });
      expect(d.apps.find((a) => a.appId === 'task-service')?.appUrl).to.match(/^http:\/\/10\.244\.0\.\d+:3000$/);
      expect(() => d.sidecar('static-site')).to.throw('no app with id static-site');
      expect(d.dependencies.map((x) => [x.name, x.kind, x.address])).to.deep.equal([
        ['redis-master', 'redis', `redis-master.${ns}.svc:6379`],
      ]);
    } finally {
      await d.stop();
    }
  });

  it('port-forward where no node runs the pod: the API server\'s reason, not "Unexpected server response"', async () => {
    const err = await failure(openKubernetesTarget({ ...base(), reach: 'port-forward' }));
    expect(err.code).to.equal('PORT_FORWARD_FAILED');
    expect(err.message).to.equal(
      `cannot port-forward to pod ${ns}/sample-app-0 (app id sample-app) port 3500: the API server answered 400: pod sample-app-0 does not have a host assigned`,
    );
    expect(err.hint).to.include('in-cluster');
  });

  it('port-forward to a pod whose node has no kubelet listening: the dial error', async () => {
    const pfNs = uniqueNamespace('pf');
    namespaces.push(pfNs);
    await createNamespace(conn, pfNs);
    const closed = await new PortAllocator().next();
    const node = `node-without-kubelet-${closed}`;
    await apply(conn, { apiVersion: 'v1', kind: 'Node', metadata: { name: node } });
    const n = await conn.core.readNode({ name: node });
    n.status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: closed } } };
    await conn.core.replaceNodeStatus({ name: node, body: n });
    await createDaprApp(conn, pfNs, { name: 'orders', node });
    try {
      const err = await failure(openKubernetesTarget({ ...base(), namespace: pfNs, reach: 'port-forward' }));
      expect(err.code).to.equal('PORT_FORWARD_FAILED');
      expect(err.message).to.match(
        new RegExp(
          `^cannot port-forward to pod ${pfNs}/orders-0 \\(app id orders\\) port 3500: the API server answered \\d+: .*127\\.0\\.0\\.1:${closed}.*connection refused`,
        ),
      );
    } finally {
      await conn.core.deleteNode({ name: node });
    }
  });

  it('names a Deployment whose pods have no daprd container', async () => {
    const bad = uniqueNamespace('no-sidecar');
    namespaces.push(bad);
    await createNamespace(conn, bad);
    await createDaprApp(conn, bad, { name: 'orders', injected: false });
    const err = await failure(openKubernetesTarget({ ...base(), namespace: bad, reach: 'in-cluster', probe: false }));
    expect(err.code).to.equal('DAPR_INJECTION_FAILED');
    expect(err.message).to.equal(
      `Dapr apps in namespace ${bad} are not running with their sidecars: Deployment ${bad}/orders (app id orders): pod orders-0 has no daprd container; the sidecar injector did not inject it`,
    );
    expect(err.hint).to.include('dapr-sidecar-injector');
    expect(exitCodeFor(err)).to.equal(1);
  });

  it('names pods that are not Ready, a daprd started for another app id, and a namespace without Dapr apps', async () => {
    const bad = uniqueNamespace('unready');
    namespaces.push(bad);
    await createNamespace(conn, bad);
    await createDaprApp(conn, bad, { name: 'orders', ready: false });
    await createDaprApp(conn, bad, { name: 'billing' });
    await createAppPod(conn, bad, { name: 'billing', appId: 'payments' }, 'billing-stray');
    const report = await checkInjection(conn, bad);
    expect(report.problems).to.deep.equal([
      `Deployment ${bad}/billing (app id billing): pod billing-stray's daprd runs as app id payments`,
      `Deployment ${bad}/orders (app id orders): none of its 1 pods is Ready (orders-0)`,
    ]);
    const empty = uniqueNamespace('empty');
    namespaces.push(empty);
    await createNamespace(conn, empty);
    expect((await checkInjection(conn, empty)).problems).to.deep.equal([
      `no Deployment in namespace ${empty} has a pod template annotated dapr.io/enabled: "true"`,
    ]);
  });

  it('stops at the preflight when the control plane is broken, naming what', async () => {
    const cp = uniqueNamespace('cp-broken');
    namespaces.push(cp);
    await createControlPlane(conn, cp, { unavailable: ['dapr-sentry'] });
    await setWorkloadStatus(conn, { kind: 'StatefulSet', namespace: cp, name: 'dapr-placement-server' }, 0, 1);
    const err = await failure(openKubernetesTarget({ ...base(), controlPlaneNamespace: cp, reach: 'in-cluster', probe: false }));
    expect(err.code).to.equal('DAPR_PREFLIGHT_FAILED');
    expect(err.message).to.equal(
      `the Dapr control plane is not ready: dapr-sentry (Deployment in ${cp}): 0 of 1 replicas available; dapr-placement-server (StatefulSet in ${cp}): 0 of 1 replicas available`,
    );
    // `status` shows the same without stopping at it.
    const inspection = await inspectKubernetes({ ...base(), controlPlaneNamespace: cp });
    expect(inspection.injection.problems).to.deep.equal([]);
    const table = controlPlaneTable(inspection.controlPlane);
    expect(table).to.match(new RegExp(`dapr-sentry\\s+${cp}\\s+Deployment\\s+False\\s+0/1\\s+${DAPR_VERSION.replaceAll('.', '\\.')}`));
    expect(table).to.include(`✗ dapr-placement-server (StatefulSet in ${cp}): 0 of 1 replicas available`);
  });
});
