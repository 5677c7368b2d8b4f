import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress, type Progress } from '../../../harness/console/progress';
import { runtimeError } from '../../../harness/errors/harness-error';
import { LifecycleStack } from '../../../harness/process/lifecycle-stack';
import type { ManagedProcess } from '../../../harness/process/managed-process';
import { PortAllocator } from '../../../harness/targets/local/free-port';
import { connectCluster, type ClusterConnection } from '../../../harness/targets/kubernetes/cluster-connection';
import { buildKubeBinaries } from '../../../harness/cluster/build-kube-binaries';
import { controllerManagerProcess } from '../../../harness/cluster/controller-manager';
import { apiServerProcess, etcdProcess } from '../../../harness/cluster/control-plane';
import { kubeBinaries, missingKubeBinaries, type KubeBinaries } from '../../../harness/cluster/kube-binaries';
import { metricsServerProcess, registerMetricsApi } from '../../../harness/cluster/metrics-server';
import { writeClusterCertificates, type ClusterCertificates } from '../../../harness/cluster/cluster-certificates';
import { pollStartup } from '../../../harness/cluster/startup-poll';
import { kubeconfigYaml as clusterKubeconfigYaml } from '../../../harness/cluster/node-config';
import { createFakeNodes, installKwokCrds, nodeSimulatorProcess } from './node-simulator';

export interface KubeTestEnv {
  /** Kubernetes release of the API server, e.g. v1.34.4. */
  version: string;
  /** https://127.0.0.1:PORT */
  server: string;
  kubeconfigPath: string;
  contextName: string;
  /** Bearer token of the admin user (group system:masters). */
  token: string;
  caPem: string;
  dir: string;
  /** Fake nodes kwok runs pods on (empty without `cluster`); a pod template names one in spec.nodeName. */
  nodes: string[];
  /** Names of the processes running, in start order. */
  processes: string[];
  /** Stops every process in reverse start order and removes the temp dir (kept when a start fails, for its logs). */
  stop(): Promise<void>;
}

export interface KubeTestEnvOptions {
  progress?: Progress;
  signal?: AbortSignal;
  /** Build the binaries when they are missing (default true); false fails instead. */
  build?: boolean;
  /**
   * Also run what makes workloads happen: kube-controller-manager, kwok with `nodes` fake nodes, and
   * metrics-server registered as metrics.k8s.io. Without it no controller runs and tests write status themselves.
   */
  cluster?: boolean;
  /** Fake nodes to create with `cluster` (default 1). */
  nodes?: number;
  /** The HPA controller's sync period with `cluster` (default 1s; a cluster's default is 15s). */
  hpaSyncPeriod?: string;
}

export const TEST_CONTEXT = 'dapr-harness-test';
const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

/**
 * A real Kubernetes control plane on free loopback ports, with a temp data dir, generated certificates, a static
 * admin token and a kubeconfig: etcd and kube-apiserver (aggregation layer on), and with `cluster` also
 * kube-controller-manager, kwok's fake nodes and metrics-server. No scheduler runs: a pod is placed by naming a
 * node in spec.nodeName. Without `cluster`, what controllers and kubelets would do a test writes itself.
 */
export async function startKubeTestEnv(opts: KubeTestEnvOptions = {}): Promise<KubeTestEnv> {
  const progress = opts.progress ?? silentProgress;
  const set = opts.cluster ? 'cluster' : 'api-server';
  let bins = kubeBinaries();
  const missing = missingKubeBinaries(bins, set);
  if (missing.length > 0) {
    if (opts.build === false) {
      throw runtimeError(
        'KUBE_BINARIES_MISSING',
        `the test env's binaries are not built (missing ${missing.join(', ')})`,
        'let the test env build them (build: true), or run `npm run kube:binaries`',
      );
    }
    progress.log(`building the Kubernetes test env's binaries once (missing ${missing.join(', ')})`);
    bins = (await buildKubeBinaries(progress, { signal: opts.signal, set })).binaries;
  }

  const dir = mkdtempSync(join(tmpdir(), 'dapr-harness-kube-'));
  const logDir = join(dir, 'logs');
  const stack = new LifecycleStack();
  let started = false;
  try {
    const ports = new PortAllocator();
    const [etcdClient, etcdPeer, securePort] = [await ports.next(), await ports.next(), await ports.next()];
    const certs = writeClusterCertificates(join(dir, 'pki'), {
      apiServerNames: ['127.0.0.1', 'localhost', 'kubernetes.default.svc'],
      componentNames: ['127.0.0.1', 'localhost', 'metrics-server.kube-system.svc'],
      kubeletNames: ['127.0.0.1', 'localhost'],
      caName: 'dapr-harness-test',
      validDays: 2,
    });
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'pki', 'tokens.csv');
    writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });

    progress.update('starting etcd');
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = stack.push(
      etcdProcess({ binary: bins.etcd, dataDir: join(dir, 'etcd'), clientUrl: etcdUrl, peerUrl: `http://127.0.0.1:${etcdPeer}`, logDir }),
    );
    await etcd.start(opts.signal);

    progress.update(`starting kube-apiserver ${bins.version}`);
    const server = `https://127.0.0.1:${securePort}`;
    const caPem = readFileSync(certs.caCert, 'utf8');
    const apiserver = stack.push(
      apiServerProcess({
        binary: bins.apiserver,
        etcdUrl,
        bindAddress: '127.0.0.1',
        advertiseAddress: '127.0.0.1',
        securePort,
        certs,
        caPem,
        tokenFile,
        token,
        serviceCidr: SERVICE_CLUSTER_IP_RANGE,
        // There is no network behind the loopback address to publish as the kubernetes Service's endpoint.
        endpointReconciler: false,
        dataDir: join(dir, 'pki'),
        logDir,
      }),
    );
    await apiserver.start(opts.signal);

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, caPem, token), { mode: 0o600 });
    const processes = [etcd.name, apiserver.name];
    const nodes = opts.cluster
      ? await startClusterComponents({
          bins,
          stack,
          processes,
          ports,
          certs,
          caPem,
          dir,
          logDir,
          kubeconfigPath,
          nodeCount: opts.nodes ?? 1,
          hpaSyncPeriod: opts.hpaSyncPeriod ?? '1s',
          progress,
          signal: opts.signal,
        })
      : [];
    started = true;
    progress.done(
      `kube-apiserver ${bins.version} ready at ${server}${opts.cluster ? ` with kube-controller-manager, kwok (${nodes.length} node${nodes.length === 1 ? '' : 's'}) and metrics-server` : ''}`,
    );
    return {
      version: bins.version,
      server,
      kubeconfigPath,
      contextName: TEST_CONTEXT,
      token,
      caPem,
      dir,
      nodes,
      processes,
      stop: async () => {
        await stack.stopAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } finally {
    if (!started) {
      await stack.stopAll();
      // A failed start keeps the dir for its logs (the error names them); a cancelled one has nothing to show.
      if (opts.signal?.aborted) rmSync(dir, { recursive: true, force: true });
    }
  }
}

interface ClusterStart {
  bins: KubeBinaries;
  stack: LifecycleStack;
  /** Names of the started processes, appended to as each starts. */
  processes: string[];
  ports: PortAllocator;
  certs: ClusterCertificates;
  caPem: string;
  dir: string;
  logDir: string;
  kubeconfigPath: string;
  nodeCount: number;
  hpaSyncPeriod: string;
  progress: Progress;
  signal?: AbortSignal;
}

/** Starts the controllers, the fake nodes and the metrics pipeline; returns the node names once all work. */
async function startClusterComponents(c: ClusterStart): Promise<string[]> {
  const conn: ClusterConnection = await connectCluster({ kubeconfig: c.kubeconfigPath });
  const common = { kubeconfig: c.kubeconfigPath, certs: c.certs, caPem: c.caPem, logDir: c.logDir };
  const start = async (p: ManagedProcess): Promise<void> => {
    c.stack.push(p);
    c.processes.push(p.name);
    await p.start(c.signal);
  };

  c.progress.update(`starting kube-controller-manager ${c.bins.version}`);
  await start(
    controllerManagerProcess({ ...common, binary: c.bins.controllerManager, port: await c.ports.next(), hpaSyncPeriod: c.hpaSyncPeriod }),
  );
  // The serviceaccount controller gives every namespace its default ServiceAccount, which pods need to be admitted.
  await pollStartup(
    'the default ServiceAccount (kube-controller-manager at work)',
    async () => Boolean(await conn.core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })),
    { timeoutMs: 60_000, signal: c.signal },
  );

  c.progress.update(`starting kwok ${c.bins.kwokVersion}`);
  await installKwokCrds(conn, c.bins.kwokCrdDir, c.signal);
  await start(nodeSimulatorProcess({ ...common, binary: c.bins.kwok, port: await c.ports.next(), dir: c.dir }));
  const nodes = Array.from({ length: c.nodeCount }, (_, i) => `kwok-node-${i}`);
  await createFakeNodes(conn, nodes, c.signal);

  c.progress.update(`starting metrics-server ${c.bins.metricsServerVersion}`);
  const metricsPort = await c.ports.next();
  await start(metricsServerProcess({ ...common, binary: c.bins.metricsServer, port: metricsPort }));
  await registerMetricsApi(conn, metricsPort, c.caPem, c.signal);
  return nodes;
}

export function kubeconfigYaml(server: string, caPem: string, token: string, namespace = 'default'): string {
  return clusterKubeconfigYaml(TEST_CONTEXT, server, caPem, token, namespace);
}
