import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { silentProgress, type Progress } from '../../../cli/progress';
import { runtimeError } from '../../../errors/harness-error';
import { LifecycleStack } from '../../../process/lifecycle-stack';
import { ManagedProcess } from '../../../process/managed-process';
import { forHttp } from '../../../process/wait/wait-for-http';
import { PortAllocator } from '../../local/free-port';
import { buildKubeBinaries } from './build-kube-binaries';
import { kubeBinaries, kubeBinariesBuilt } from './kube-binaries';
import { writeTestCertificates } from './test-certificates';
import { forApiServerReady } from './wait-for-readyz';

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
  /** Stops the API server and etcd and removes the temp dir (kept when a start fails, for its logs). */
  stop(): Promise<void>;
}

export interface KubeTestEnvOptions {
  progress?: Progress;
  signal?: AbortSignal;
  /** Build the binaries when they are missing (default true); false fails instead. */
  build?: boolean;
}

export const TEST_CONTEXT = 'dapr-harness-test';
const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';
const APISERVER_START_TIMEOUT_MS = 120_000;

/**
 * A real Kubernetes control plane without nodes: etcd and kube-apiserver on free loopback ports, with a temp
 * data dir, generated certificates, a static admin token and a kubeconfig. No kubelet, scheduler or
 * controller-manager: what those would do (status, pods) a test writes itself through the API.
 */
export async function startKubeTestEnv(opts: KubeTestEnvOptions = {}): Promise<KubeTestEnv> {
  const progress = opts.progress ?? silentProgress;
  let bins = kubeBinaries();
  if (!kubeBinariesBuilt(bins)) {
    if (opts.build === false) {
      throw runtimeError('KUBE_BINARIES_MISSING', `kube-apiserver and etcd ${bins.version} are not built (looked in ${bins.dir})`, 'let the test env build them (build: true), or run `go build` in runtime/kube');
    }
    progress.log(`kube-apiserver and etcd ${bins.version} are not built yet: building them once (cached in ${bins.dir})`);
    bins = (await buildKubeBinaries(progress, { signal: opts.signal })).binaries;
  }

  const dir = mkdtempSync(join(tmpdir(), 'dapr-harness-kube-'));
  const logDir = join(dir, 'logs');
  const stack = new LifecycleStack();
  let started = false;
  try {
    const ports = new PortAllocator();
    const [etcdClient, etcdPeer, securePort] = [await ports.next(), await ports.next(), await ports.next()];
    const certs = writeTestCertificates(join(dir, 'pki'));
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'pki', 'tokens.csv');
    writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });

    progress.update('starting etcd');
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = stack.push(
      new ManagedProcess({
        name: 'etcd',
        command: bins.etcd,
        args: [
          '--name', 'harness',
          '--data-dir', join(dir, 'etcd'),
          '--listen-client-urls', etcdUrl,
          '--advertise-client-urls', etcdUrl,
          '--listen-peer-urls', peerUrl,
          '--initial-advertise-peer-urls', peerUrl,
          '--initial-cluster', `harness=${peerUrl}`,
          // The data dies with the test run; skipping fsync keeps a slow disk from slowing every write.
          '--unsafe-no-fsync',
          '--log-level', 'warn',
        ],
        logFile: join(logDir, 'etcd.log'),
        wait: forHttp(`${etcdUrl}/health`),
        startTimeoutMs: 30_000,
        stopGraceMs: 5_000,
      }),
    );
    await etcd.start(opts.signal);

    progress.update(`starting kube-apiserver ${bins.version}`);
    const server = `https://127.0.0.1:${securePort}`;
    const caPem = readFileSync(certs.caCert, 'utf8');
    const apiserver = stack.push(
      new ManagedProcess({
        name: 'kube-apiserver',
        command: bins.apiserver,
        args: [
          `--etcd-servers=${etcdUrl}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${securePort}`,
          `--cert-dir=${join(dir, 'pki', 'generated')}`,
          `--tls-cert-file=${certs.servingCert}`,
          `--tls-private-key-file=${certs.servingKey}`,
          `--client-ca-file=${certs.caCert}`,
          `--token-auth-file=${tokenFile}`,
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${certs.serviceAccountKey}`,
          `--service-account-signing-key-file=${certs.serviceAccountKey}`,
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          // There is no network behind the loopback address to publish as the kubernetes Service's endpoint.
          '--endpoint-reconciler-type=none',
          '--allow-privileged=true',
          '--profiling=false',
        ],
        logFile: join(logDir, 'kube-apiserver.log'),
        wait: forApiServerReady(server, caPem, token),
        startTimeoutMs: APISERVER_START_TIMEOUT_MS,
        stopGraceMs: 10_000,
      }),
    );
    await apiserver.start(opts.signal);

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, caPem, token), { mode: 0o600 });
    started = true;
    progress.done(`kube-apiserver ${bins.version} ready at ${server}`);
    return {
      version: bins.version,
      server,
      kubeconfigPath,
      contextName: TEST_CONTEXT,
      token,
      caPem,
      dir,
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

export function kubeconfigYaml(server: string, caPem: string, token: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: TEST_CONTEXT, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: TEST_CONTEXT, context: { cluster: TEST_CONTEXT, user: 'admin', namespace } }],
    'current-context': TEST_CONTEXT,
  });
}
