import type { V1Pod } from '@kubernetes/client-node';
import { runtimeError } from '../../errors/harness-error';
import { poll } from '../../process/wait/poll';
import type { DependencyControl } from '../deployment';
import { apiErrorMessage } from './api-errors';
import type { ClusterConnection } from './cluster-connection';
import { DAPRD_CONTAINER } from './injection-check';
import { DEFAULT_RECOVERY_TIMEOUT_MS, type WaitOptions } from './workload-scaling';

/** One container of one pod: the app's, or its daprd. */
export interface ContainerRef {
  namespace: string;
  pod: string;
  /** daprd, or the app: the pod's first container that is not daprd. */
  role: 'app' | 'sidecar';
}

interface ContainerState {
  restartCount: number;
  running: boolean;
  ready: boolean;
}

const DOWN_TIMEOUT_MS = 30_000;

/**
 * An app or daprd container of a pod the harness reaches (the one its port-forwards lead to). Kubernetes restarts a
 * container that exits (restartPolicy Always), so "down" means it exited since the harness last saw it up — its
 * restart count moved, or it is not running or not ready now — and `start()` waits for the kubelet's restart
 * instead of starting anything. The pod itself stays, so the harness's port-forwards to it stay valid.
 */
export class ContainerRestartControl implements DependencyControl {
  readonly restartsByItself = true;
  readonly name: string;
  private seenUp = true;

  private constructor(
    private readonly conn: ClusterConnection,
    readonly kind: 'app' | 'sidecar',
    readonly address: string,
    private ref: ContainerRef,
    private baseline: number,
    private readonly shutdown: (() => Promise<void>) | undefined,
    private readonly waits: WaitOptions,
  ) {
    this.name = kind === 'app' ? address : `${address}-daprd`;
  }

  /** Reads the container's restart count now, so an exit from here on is seen even when the kubelet restarts it at once. */
  static async create(
    conn: ClusterConnection,
    appId: string,
    ref: ContainerRef,
    opts: { shutdown?: () => Promise<void>; waits?: WaitOptions } = {},
  ): Promise<ContainerRestartControl> {
    const state = containerState(await readPod(conn, ref), ref);
    return new ContainerRestartControl(conn, ref.role, appId, ref, state?.restartCount ?? 0, opts.shutdown, opts.waits ?? {});
  }

  /** Follows the app to the pod that replaced the one it watched (deleted by a probe); a new pod starts a new count. */
  async retarget(pod: string): Promise<void> {
    this.ref = { ...this.ref, pod };
    this.baseline = containerState(await readPod(this.conn, this.ref), this.ref)?.restartCount ?? 0;
    this.seenUp = true;
  }

  get running(): boolean {
    return this.seenUp;
  }

  async isRunning(): Promise<boolean> {
    const s = containerState(await readPod(this.conn, this.ref), this.ref);
    const up = s !== undefined && s.restartCount === this.baseline && s.running && s.ready;
    if (!up) this.seenUp = false;
    return up;
  }

  async stop(): Promise<void> {
    if (!this.shutdown)
      throw runtimeError(
        'CONTROL_NOT_AVAILABLE',
        `the harness has no way to stop the ${this.ref.role} container of pod ${this.ref.namespace}/${this.ref.pod} by itself`,
        'crash it through the app (its fault endpoint) and use start() to wait for the restart',
      );
    await this.shutdown();
    await poll(`the ${this.ref.role} container of ${this.ref.pod} to exit`, async () => !(await this.isRunning()), {
      timeoutMs: DOWN_TIMEOUT_MS,
      intervalMs: 100,
      ...(this.waits.signal ? { signal: this.waits.signal } : {}),
    });
  }

  /** Waits until the kubelet has restarted the container and it is ready; its restart count becomes the new baseline. */
  async start(): Promise<void> {
    const timeoutMs = this.waits.timeoutMs ?? DEFAULT_RECOVERY_TIMEOUT_MS;
    let last: ContainerState | undefined;
    try {
      await poll(
        `the ${this.ref.role} container of ${this.ref.pod} to be restarted and ready`,
        async () => {
          last = containerState(await readPod(this.conn, this.ref), this.ref);
          return last !== undefined && last.running && last.ready;
        },
        { timeoutMs, intervalMs: 250, ...(this.waits.signal ? { signal: this.waits.signal } : {}) },
      );
    } catch (err) {
      if (this.waits.signal?.aborted) throw err;
      throw runtimeError(
        'CONTAINER_NOT_RESTARTED',
        `the ${this.ref.role} container of pod ${this.ref.namespace}/${this.ref.pod} was not running and ready again within ${timeoutMs / 1000} s (${last ? `restarts ${last.restartCount}, running ${last.running}, ready ${last.ready}` : 'not found'})`,
        `look at \`kubectl -n ${this.ref.namespace} describe pod ${this.ref.pod}\` and its container's log`,
      );
    }
    this.baseline = last?.restartCount ?? this.baseline;
    this.seenUp = true;
  }
}

async function readPod(conn: ClusterConnection, ref: ContainerRef): Promise<V1Pod> {
  try {
    return await conn.core.readNamespacedPod({ name: ref.pod, namespace: ref.namespace });
  } catch (err) {
    throw runtimeError(
      'POD_READ_FAILED',
      `cannot read pod ${ref.namespace}/${ref.pod}: ${apiErrorMessage(err)}`,
      'the harness needs get on pods in the apps namespace',
    );
  }
}

/** The state of the app's or daprd's container in a pod's status; undefined when the pod has no such container. */
export function containerState(pod: V1Pod, ref: Pick<ContainerRef, 'role'>): ContainerState | undefined {
  const name =
    ref.role === 'sidecar' ? DAPRD_CONTAINER : (pod.spec?.containers ?? []).map((c) => c.name).find((n) => n !== DAPRD_CONTAINER);
  // Dapr 1.14+ may inject daprd as a native sidecar (an init container that keeps running).
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const s = statuses.find((c) => c.name === name);
  if (!s) return undefined;
  return { restartCount: s.restartCount, running: Boolean(s.state?.running), ready: s.ready };
}
