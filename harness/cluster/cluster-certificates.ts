import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand } from '../process/required-commands';

export interface ClusterCertificates {
  caCert: string;
  servingCert: string;
  servingKey: string;
  /** Signs and verifies service-account tokens (the API server insists on one even when nothing uses tokens). */
  serviceAccountKey: string;
  /** The aggregation layer: the CA extension API servers trust for proxied requests, and the API server's client cert. */
  frontProxyCaCert: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
  /**
   * Serving certificate of the other loopback components (controller-manager, kwok, metrics-server), signed by
   * the cluster CA; it names metrics-server's Service too, the name the aggregator verifies it by.
   */
  componentCert: string;
  componentKey: string;
  /** The kubelet's serving certificate (its node address and name), which the API server and metrics-server verify. */
  kubeletCert: string;
  kubeletKey: string;
  /** The client certificate the API server presents to the kubelet (exec, logs, port-forward), as a system:masters member. */
  kubeletClientCert: string;
  kubeletClientKey: string;
}

export interface CertificateOptions {
  /** Names the API server's certificate carries: addresses and DNS names clients reach it by. */
  apiServerNames: string[];
  /** Names of the other components' serving certificate. */
  componentNames: string[];
  /** Names of the kubelet's serving certificate. */
  kubeletNames: string[];
  /** Prefix of the CAs' common names, so a certificate tells which cluster made it. */
  caName: string;
  validDays: number;
}

/** `IP:a.b.c.d` for an address, `DNS:name` otherwise. */
export function subjectAltNames(names: string[]): string {
  return names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
}
/** The name the API server's aggregator presents to extension API servers, which they accept requests from. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

/**
 * A throwaway CA and the certificates a cluster's parts serve and present, so clients verify the API server and
 * the kubelet as they would real ones (no insecure-skip-tls-verify). Node can make keys but not X.509
 * certificates, hence openssl.
 */
export function writeClusterCertificates(dir: string, opts: CertificateOptions): ClusterCertificates {
  const days = String(opts.validDays);
  requireCommand('openssl', '`apt-get install openssl`');
  mkdirSync(dir, { recursive: true });
  const path = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.crt'), '-days', days, '-subj', `/CN=${opts.caName}-ca`]);
  const signed = (name: string, subject: string, ca: string, extensions: string): void => {
    openssl(['req', ...ec, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', subject]);
    writeFileSync(path(`${name}.ext`), extensions);
    openssl([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path(`${ca}.crt`),
      '-CAkey',
      path(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      path(`${name}.crt`),
      '-days',
      days,
      '-extfile',
      path(`${name}.ext`),
    ]);
  };
  const serving = (names: string[]): string => `subjectAltName=${subjectAltNames(names)}\nextendedKeyUsage=serverAuth\n`;
  signed('apiserver', '/CN=kube-apiserver', 'ca', serving(opts.apiServerNames));
  signed('components', `/CN=${opts.caName}-components`, 'ca', serving(opts.componentNames));
  signed('kubelet', `/CN=${opts.caName}-kubelet`, 'ca', serving(opts.kubeletNames));
  signed('kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', 'ca', 'extendedKeyUsage=clientAuth\n');
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('front-proxy-ca.key'),
    '-out',
    path('front-proxy-ca.crt'),
    '-days',
    days,
    '-subj',
    `/CN=${opts.caName}-front-proxy-ca`,
  ]);
  signed('front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, 'front-proxy-ca', 'extendedKeyUsage=clientAuth\n');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path('service-account.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return {
    caCert: path('ca.crt'),
    servingCert: path('apiserver.crt'),
    servingKey: path('apiserver.key'),
    serviceAccountKey: path('service-account.key'),
    frontProxyCaCert: path('front-proxy-ca.crt'),
    frontProxyClientCert: path('front-proxy-client.crt'),
    frontProxyClientKey: path('front-proxy-client.key'),
    componentCert: path('components.crt'),
    componentKey: path('components.key'),
    kubeletCert: path('kubelet.crt'),
    kubeletKey: path('kubelet.key'),
    kubeletClientCert: path('kubelet-client.crt'),
    kubeletClientKey: path('kubelet-client.key'),
  };
}
