import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommand } from '../../local/required-commands';

export interface TestCertificates {
  caCert: string;
  servingCert: string;
  servingKey: string;
  /** Signs and verifies service-account tokens (the API server insists on one even when nothing uses tokens). */
  serviceAccountKey: string;
}

const VALID_DAYS = '2';

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
  openssl(['req', '-x509', ...ec, '-keyout', path('ca.key'), '-out', path('ca.crt'), '-days', VALID_DAYS, '-subj', '/CN=dapr-harness-test-ca']);
  openssl(['req', ...ec, '-keyout', path('apiserver.key'), '-out', path('apiserver.csr'), '-subj', '/CN=kube-apiserver']);
  writeFileSync(path('apiserver.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', path('apiserver.csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('apiserver.crt'), '-days', VALID_DAYS, '-extfile', path('apiserver.ext')]);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path('service-account.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { caCert: path('ca.crt'), servingCert: path('apiserver.crt'), servingKey: path('apiserver.key'), serviceAccountKey: path('service-account.key') };
}
