import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand } from '../../../harness/process/required-commands';

export interface TestCertificates {
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
}

const VALID_DAYS = '2';
/** The name the API server's aggregator presents to extension API servers, which they accept requests from. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

/**
 * A throwaway CA and a serving certificate for 127.0.0.1, so clients verify the API server as they would a real
 * one (no insecure-skip-tls-verify). Node can make keys but not X.509 certificates, hence openssl.
 */
export function writeTestCertificates(dir: string): TestCertificates {
  requireCommand('openssl', '`apt-get install openssl`');
  mkdirSync(dir, { recursive: true });
  const path = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    VALID_DAYS,
    '-subj',
    '/CN=dapr-harness-test-ca',
  ]);
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
      VALID_DAYS,
      '-extfile',
      path(`${name}.ext`),
    ]);
  };
  signed(
    'apiserver',
    '/CN=kube-apiserver',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  signed(
    'components',
    '/CN=dapr-harness-test-components',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:metrics-server.kube-system.svc\nextendedKeyUsage=serverAuth\n',
  );
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    path('front-proxy-ca.key'),
    '-out',
    path('front-proxy-ca.crt'),
    '-days',
    VALID_DAYS,
    '-subj',
    '/CN=dapr-harness-test-front-proxy-ca',
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
  };
}
