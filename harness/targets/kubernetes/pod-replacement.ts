import { Log } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { runtimeError } from '../../errors/harness-error';
import { poll } from '../../process/wait/poll';
import type { EndedInstance, InstanceReplacement } from '../deployment';
import type { ClusterConnection } from './cluster-connection';
import { containerState } from './container-restarts';
import { DAPRD_CONTAINER, type DaprApp } from './injection-check';
import { deletePod } from './pod-deletion';
import { DEFAULT_RECOVERY_TIMEOUT_MS, readyPodsOf, type WaitOptions } from './workload-scaling';

/** The pod the harness reaches as an app's instance 0. */
export interface ReachedPod {
  name: string;
  podIP?: string;
}

/** After the kubelet stops a container, how long its followed log may take to end. */
const LOG_END_TIMEOUT_MS = 15_000;
/** Most of the app's log kept from a deleted pod. */
const MAX_LOG_BYTES = 8 * 1024 * 1024;

/**
 * Deletes the pod the harness reaches as an app's instance 0, as `kubectl delete pod` does (the pod's own grace
 * period: SIGTERM to app and daprd), following the app container's log until it exits, so what the app wrote on
 * its way out is kept although the pod is gone. `replace()` waits for the Deployment's new pod to be Ready and hands
 * it to `retarget`, which points the harness's port-forwards, controls and addresses at it.
 */
export function podReplacement(
  conn: ClusterConnection,
  app: DaprApp,
  first: ReachedPod,
  opts: { otherInstances: string[]; retarget: (pod: ReachedPod) => Promise<void>; waits: WaitOptions },
): InstanceReplacement {
  let current = first;
  let endedAt = 0;
  const owner = { kind: 'Deployment' as const, namespace: app.namespace, name: app.deployment };
  return {
    appId: app.appId,
    how: `pod deleted (its grace period), replaced by Deployment ${app.deployment}`,
    async end(): Promise<EndedInstance> {
      const pod = current.name;
      const container = await appContainer(conn, app.namespace, pod);
      const follow = await followLog(conn, app.namespace, pod, container);
      endedAt = Date.now();
      try {
        const deletion = await deletePod(conn, app.namespace, pod, opts.waits);
        await follow.ended(LOG_END_TIMEOUT_MS);
        return { instance: `pod ${app.namespace}/${pod}`, goneMs: deletion.goneMs, appLog: follow.text() };
      } finally {
        follow.stop();
      }
    },
    async replace() {
      const old = current.name;
      const timeoutMs = opts.waits.timeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS;
      let next: V1Pod | undefined;
      try {
        next = await poll(
          `a Ready pod of ${app.deployment} to replace ${old}`,
          async () =>
            (await readyPodsOf(conn, owner)).find(
              (p) => appAndSidecarReady(p) && ![old, ...opts.otherInstances].includes(p.metadata?.name ?? ''),
            ),
          { timeoutMs, intervalMs: 500, ...(opts.waits.signal ? { signal: opts.waits.signal } : {}) },
        );
      } catch (err) {
        if (opts.waits.signal?.aborted) throw err;
        throw runtimeError(
          'RECOVERY_TIMEOUT',
          `no pod of Deployment ${app.namespace}/${app.deployment} was Ready within ${timeoutMs / 1000} s of deleting ${old}`,
          `see \`kubectl -n ${app.namespace} describe deployment ${app.deployment}\` and its pods' events`,
        );
      }
      current = { name: next.metadata?.name ?? '', ...(next.status?.podIP ? { podIP: next.status.podIP } : {}) };
      await opts.retarget(current);
      return { instance: `pod ${app.namespace}/${current.name}`, readyMs: Date.now() - endedAt };
    },
  };
}

/** The app and daprd both running and ready (daprd may be a native sidecar: containerState looks in both lists). */
function appAndSidecarReady(pod: V1Pod): boolean {
  return (['app', 'sidecar'] as const).every((role) => {
    const s = containerState(pod, { role });
    return s !== undefined && s.running && s.ready;
  });
}

async function appContainer(conn: ClusterConnection, namespace: string, pod: string): Promise<string> {
  const spec = (await conn.core.readNamespacedPod({ name: pod, namespace })).spec;
  const name = (spec?.containers ?? []).map((c) => c.name).find((n) => n !== DAPRD_CONTAINER);
  if (!name)
    throw runtimeError('POD_HAS_NO_APP', `pod ${namespace}/${pod} has no container besides daprd`, 'check the Deployment of the app');
  return name;
}

interface FollowedLog {
  text(): string;
  ended(timeoutMs: number): Promise<void>;
  stop(): void;
}

/** Follows a container's log from now until it exits (the API server ends the stream then). */
async function followLog(conn: ClusterConnection, namespace: string, pod: string, container: string): Promise<FollowedLog> {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      size += chunk.length;
      while (size > MAX_LOG_BYTES && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
      cb();
    },
    final(cb) {
      finished();
      cb();
    },
  });
  sink.on('close', () => finished());
  sink.on('error', () => finished());
  const controller = await new Log(conn.kubeConfig).log(namespace, pod, container, sink, { follow: true, sinceSeconds: 5 });
  return {
    text: () => Buffer.concat(chunks).toString('utf8'),
    ended: (timeoutMs) => Promise.race([done, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref())]),
    stop: () => controller.abort(),
  };
}
