import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterConnection } from './cluster-connection';
import { ContainerRestartControl, containerState } from './container-restarts';

function pod(app: { restarts: number; running: boolean; ready: boolean }, daprd = { restarts: 0, running: true, ready: true }): V1Pod {
  const status = (name: string, s: { restarts: number; running: boolean; ready: boolean }) => ({
    name,
    image: 'x',
    imageID: 'x',
    restartCount: s.restarts,
    ready: s.ready,
    state: s.running ? { running: {} } : { waiting: { reason: 'CrashLoopBackOff' } },
  });
  return {
    metadata: { name: 'analytics-0' },
    spec: { containers: [{ name: 'app' }, { name: 'daprd' }] },
    status: { containerStatuses: [status('app', app), status('daprd', daprd)] },
  };
}

/** A connection whose pod reads return what `current` holds at the time of the read. */
function connWith(current: { pod: V1Pod }): ClusterConnection {
  return { core: { readNamespacedPod: async () => current.pod } } as unknown as ClusterConnection;
}

describe('ContainerRestartControl', () => {
  const ref = { namespace: 'ns', pod: 'analytics-0' };

  it("reads the app container as the pod's first non-daprd container, and daprd by name", () => {
    const p = pod({ restarts: 2, running: false, ready: false }, { restarts: 5, running: true, ready: true });
    expect(containerState(p, { role: 'app' })).to.deep.equal({ restartCount: 2, running: false, ready: false });
    expect(containerState(p, { role: 'sidecar' })).to.deep.equal({ restartCount: 5, running: true, ready: true });
  });

  it('counts a container the kubelet already restarted as down, and start() waits for it to be ready again', async () => {
    const current = { pod: pod({ restarts: 0, running: true, ready: true }) };
    const c = await ContainerRestartControl.create(
      connWith(current),
      'analytics',
      { ...ref, role: 'app' },
      { waits: { timeoutMs: 2_000 } },
    );
    expect(await c.isRunning()).to.equal(true);
    // Crashed and already running again, not yet ready: down since the harness last saw it up.
    current.pod = pod({ restarts: 1, running: true, ready: false });
    expect(await c.isRunning()).to.equal(false);
    expect(c.running).to.equal(false);
    setTimeout(() => (current.pod = pod({ restarts: 1, running: true, ready: true })), 300);
    await c.start();
    expect(c.running).to.equal(true);
    expect(await c.isRunning(), 'the new restart count is the baseline').to.equal(true);
  });

  it('stop() goes through the shutdown it was given and returns once the container is seen down', async () => {
    const current = { pod: pod({ restarts: 0, running: true, ready: true }) };
    let asked = 0;
    const c = await ContainerRestartControl.create(
      connWith(current),
      'analytics',
      { ...ref, role: 'sidecar' },
      {
        shutdown: async () => {
          asked++;
          setTimeout(
            () => (current.pod = pod({ restarts: 0, running: true, ready: true }, { restarts: 1, running: true, ready: false })),
            100,
          );
        },
      },
    );
    await c.stop();
    expect(asked).to.equal(1);
    expect(c.running).to.equal(false);
    expect(c.name).to.equal('analytics-daprd');
  });

  it('says it cannot stop an app container by itself, and names the way that works', async () => {
    const c = await ContainerRestartControl.create(connWith({ pod: pod({ restarts: 0, running: true, ready: true }) }), 'analytics', {
      ...ref,
      role: 'app',
    });
    const err = await c.stop().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String((err as Error).message)).to.match(/no way to stop the app container of pod ns\/analytics-0/);
  });

  it('fails start() naming the pod when the container does not come back', async () => {
    const current = { pod: pod({ restarts: 0, running: true, ready: true }) };
    const c = await ContainerRestartControl.create(connWith(current), 'analytics', { ...ref, role: 'app' }, { waits: { timeoutMs: 600 } });
    current.pod = pod({ restarts: 3, running: false, ready: false });
    const err = await c.start().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(/app container of pod ns\/analytics-0 was not running and ready again within 0.6 s \(restarts 3/);
  });
});
