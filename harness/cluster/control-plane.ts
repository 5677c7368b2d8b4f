import { join } from 'node:path';
import { ManagedProcess } from '../process/managed-process';
import { forHttp } from '../process/wait/wait-for-http';
import { forApiServerReady } from '../process/wait/wait-for-https';
import { FRONT_PROXY_CLIENT, type ClusterCertificates } from './cluster-certificates';

const APISERVER_START_TIMEOUT_MS = 120_000;

export interface EtcdOptions {
  binary: string;
  dataDir: string;
  /** http://127.0.0.1:PORT — etcd listens on loopback only; the API server is its one client. */
  clientUrl: string;
  peerUrl: string;
  logDir: string;
}

/** A one-member etcd whose data dies with the cluster. */
export function etcdProcess(opts: EtcdOptions): ManagedProcess {
  return new ManagedProcess({
    name: 'etcd',
    command: opts.binary,
    args: [
      '--name',
      'harness',
      '--data-dir',
      opts.dataDir,
      '--listen-client-urls',
      opts.clientUrl,
      '--advertise-client-urls',
      opts.clientUrl,
      '--listen-peer-urls',
      opts.peerUrl,
      '--initial-advertise-peer-urls',
      opts.peerUrl,
      '--initial-cluster',
      `harness=${opts.peerUrl}`,
      // The data dies with the cluster; skipping fsync keeps a slow disk from slowing every write.
      '--unsafe-no-fsync',
      '--log-level',
      'warn',
    ],
    logFile: join(opts.logDir, 'etcd.log'),
    wait: forHttp(`${opts.clientUrl}/health`),
    startTimeoutMs: 30_000,
    stopGraceMs: 5_000,
  });
}

export interface ApiServerOptions {
  binary: string;
  etcdUrl: string;
  bindAddress: string;
  /** The address the `kubernetes` Service's endpoint publishes; pods reach the API server there. */
  advertiseAddress: string;
  securePort: number;
  certs: ClusterCertificates;
  caPem: string;
  tokenFile: string;
  /** The admin token, for the readiness probe. */
  token: string;
  serviceCidr: string;
  /** Without a network behind the advertised address (loopback only) there is no endpoint worth publishing. */
  endpointReconciler: boolean;
  /** With a kubelet: the client certificate the API server presents to it, and which node address to dial. */
  kubelet?: { preferredAddressTypes: string };
  dataDir: string;
  logDir: string;
}

/** kube-apiserver with RBAC, a static admin token, service-account tokens and the aggregation layer (for metrics.k8s.io). */
export function apiServerProcess(opts: ApiServerOptions): ManagedProcess {
  const { certs } = opts;
  const server = `https://${opts.advertiseAddress === '0.0.0.0' ? '127.0.0.1' : opts.advertiseAddress}:${opts.securePort}`;
  return new ManagedProcess({
    name: 'kube-apiserver',
    command: opts.binary,
    args: [
      `--etcd-servers=${opts.etcdUrl}`,
      `--bind-address=${opts.bindAddress}`,
      `--advertise-address=${opts.advertiseAddress}`,
      `--secure-port=${opts.securePort}`,
      `--cert-dir=${join(opts.dataDir, 'generated')}`,
      `--tls-cert-file=${certs.servingCert}`,
      `--tls-private-key-file=${certs.servingKey}`,
      `--client-ca-file=${certs.caCert}`,
      `--token-auth-file=${opts.tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certs.serviceAccountKey}`,
      `--service-account-signing-key-file=${certs.serviceAccountKey}`,
      `--service-cluster-ip-range=${opts.serviceCidr}`,
      ...(opts.endpointReconciler ? [] : ['--endpoint-reconciler-type=none']),
      '--allow-privileged=true',
      '--profiling=false',
      // The aggregation layer, for metrics.k8s.io: the client certificate the API server proxies with, and the
      // CA and headers an extension API server trusts it by (published in kube-system/extension-apiserver-authentication).
      `--requestheader-client-ca-file=${certs.frontProxyCaCert}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${certs.frontProxyClientCert}`,
      `--proxy-client-key-file=${certs.frontProxyClientKey}`,
      ...(opts.kubelet
        ? [
            `--kubelet-client-certificate=${certs.kubeletClientCert}`,
            `--kubelet-client-key=${certs.kubeletClientKey}`,
            `--kubelet-certificate-authority=${certs.caCert}`,
            // The node's hostname resolves nowhere; its InternalIP does.
            `--kubelet-preferred-address-types=${opts.kubelet.preferredAddressTypes}`,
          ]
        : []),
    ],
    logFile: join(opts.logDir, 'kube-apiserver.log'),
    wait: forApiServerReady(server, opts.caPem, opts.token),
    startTimeoutMs: APISERVER_START_TIMEOUT_MS,
    stopGraceMs: 10_000,
  });
}

/** What each loopback component of a cluster starts from: its binary, the admin kubeconfig, the CA, a port, a log dir. */
export interface ComponentOptions {
  binary: string;
  kubeconfig: string;
  certs: ClusterCertificates;
  caPem: string;
  port: number;
  logDir: string;
}

/**
 * The flags a component serving on loopback shares: the API server as the admin user for its work and for
 * authenticating and authorizing its own callers, and TLS with the cluster CA's component certificate.
 */
export function componentArgs(o: ComponentOptions): string[] {
  return [
    `--kubeconfig=${o.kubeconfig}`,
    `--authentication-kubeconfig=${o.kubeconfig}`,
    `--authorization-kubeconfig=${o.kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${o.port}`,
    `--tls-cert-file=${o.certs.componentCert}`,
    `--tls-private-key-file=${o.certs.componentKey}`,
    '--profiling=false',
  ];
}
