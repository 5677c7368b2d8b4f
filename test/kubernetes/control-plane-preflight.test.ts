import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import {
  assertControlPlane,
  checkControlPlane,
  DAPR_CONTROL_PLANE,
  DAPR_CRDS,
} from '../../harness/targets/kubernetes/control-plane-preflight';
import { KUBE_START_TIMEOUT_MS, kubeApiServer, stopKubeApiServer } from '../support/kube-api-server';
import {
  apply,
  crdDocument,
  createControlPlane,
  DAPR_VERSION,
  deleteCrd,
  deleteNamespace,
  ensureControlPlane,
  setWorkloadStatus,
  type TestConnection,
  testConnection,
  uniqueNamespace,
  waitCrdEstablished,
} from './support/dapr-cluster-fixtures';

after(stopKubeApiServer);

function preflightError(fn: () => void): HarnessError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  return expect.fail('the preflight passed') as never;
}

describe('Kubernetes target: Dapr control-plane preflight (like dapr status -k) against a real API server', function () {
  this.timeout(120_000);
  before(async function () {
    this.timeout(KUBE_START_TIMEOUT_MS);
    await kubeApiServer();
  });
  let conn: TestConnection;
  const created: string[] = [];

  before(async () => {
    conn = await testConnection();
    await ensureControlPlane(conn);
  });
  after(async () => {
    for (const ns of created) await deleteNamespace(conn, ns);
  });

  it('passes with the five workloads available and the CRDs Established, reporting their versions', async () => {
    const report = await checkControlPlane(conn);
    expect(report.problems).to.deep.equal([]);
    expect(report.workloads.map((w) => [w.name, w.kind, w.healthy, w.version])).to.deep.equal(
      DAPR_CONTROL_PLANE.map((w) => [w.name, w.kind, true, DAPR_VERSION]),
    );
    expect(report.daprVersion).to.equal(DAPR_VERSION);
    expect(report.serverVersion).to.match(/^v1\.34\./);
    expect(report.crds.map((c) => [c.name, c.installed, c.established])).to.deep.equal(DAPR_CRDS.map((n) => [n, true, true]));
    expect(report.crds.find((c) => c.name === 'subscriptions.dapr.io')?.versions).to.deep.equal(['v1alpha1', 'v2alpha1']);
    expect(() => assertControlPlane(report)).not.to.throw();
  });

  it('names a missing CRD', async () => {
    await deleteCrd(conn, 'httpendpoints.dapr.io');
    try {
      const report = await checkControlPlane(conn);
      expect(report.problems).to.deep.equal(['CRD httpendpoints.dapr.io is not installed']);
      const err = preflightError(() => assertControlPlane(report));
      expect(err.code).to.equal('DAPR_PREFLIGHT_FAILED');
      expect(err.message).to.equal('the Dapr control plane is not ready: CRD httpendpoints.dapr.io is not installed');
      expect(err.kind).to.equal('runtime');
    } finally {
      await apply(conn, crdDocument('httpendpoints.yaml'));
      await waitCrdEstablished(conn, 'httpendpoints.dapr.io');
    }
  });

  it('names an unavailable sentry with its replica counts', async () => {
    const ns = uniqueNamespace('dapr-sentry-down');
    created.push(ns);
    await createControlPlane(conn, ns, { unavailable: ['dapr-sentry'] });
    const report = await checkControlPlane(conn, ns);
    expect(report.problems).to.deep.equal([`dapr-sentry (Deployment in ${ns}): 0 of 1 replicas available`]);
    expect(report.workloads.find((w) => w.name === 'dapr-sentry')?.healthy).to.equal(false);
    expect(preflightError(() => assertControlPlane(report)).message).to.include(
      `dapr-sentry (Deployment in ${ns}): 0 of 1 replicas available`,
    );
  });

  it('names missing workloads, a StatefulSet scaled to 0, and a status its controller has not caught up with', async () => {
    const ns = uniqueNamespace('dapr-partial');
    created.push(ns);
    await createControlPlane(conn, ns, { missing: ['dapr-operator'] });
    await conn.apps.replaceNamespacedStatefulSetScale({
      name: 'dapr-scheduler-server',
      namespace: ns,
      body: { metadata: { name: 'dapr-scheduler-server', namespace: ns }, spec: { replicas: 0 } },
    });
    const injector = await conn.apps.readNamespacedDeployment({ name: 'dapr-sidecar-injector', namespace: ns });
    (injector.spec?.template.spec?.containers[0] ?? { image: '' }).image = 'ghcr.io/dapr/injector:1.18.3';
    await conn.apps.replaceNamespacedDeployment({ name: 'dapr-sidecar-injector', namespace: ns, body: injector });
    const report = await checkControlPlane(conn, ns);
    expect(report.problems).to.deep.equal([
      `dapr-operator (Deployment in ${ns}) does not exist`,
      `dapr-scheduler-server (StatefulSet in ${ns}) is scaled to 0 replicas`,
      `dapr-sidecar-injector (Deployment in ${ns}): its controller has not yet observed generation 2 (status is stale)`,
    ]);
    expect(report.warnings).to.deep.equal([
      `control-plane workloads run different versions: dapr-sentry ${DAPR_VERSION}, dapr-placement-server ${DAPR_VERSION}, dapr-scheduler-server ${DAPR_VERSION}, dapr-sidecar-injector 1.18.3`,
    ]);
    await setWorkloadStatus(conn, { kind: 'Deployment', namespace: ns, name: 'dapr-sidecar-injector' }, 1);
    expect((await checkControlPlane(conn, ns)).problems).to.have.length(2);
  });

  it('says so when the control-plane namespace does not exist', async () => {
    const report = await checkControlPlane(conn, 'dapr-elsewhere');
    expect(report.problems).to.deep.equal(['namespace dapr-elsewhere does not exist: the Dapr control plane is not installed there']);
    expect(report.workloads).to.deep.equal([]);
  });
});
