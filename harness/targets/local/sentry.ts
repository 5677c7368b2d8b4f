import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ManagedProcess } from '../../process/managed-process';
import { forHttp } from '../../process/wait/wait-for-http';

export const CONTROL_PLANE_TRUST_DOMAIN = 'cluster.local';
export const CONTROL_PLANE_NAMESPACE = 'default';

export interface SentryOptions {
  binary: string;
  port: number;
  healthzPort: number;
  metricsPort: number;
  dir: string;
  logDir: string;
  env: Record<string, string>;
}

/**
 * Dapr Sentry in self-hosted mode. With an empty issuer-credentials folder it generates its own root CA and
 * issuer there; daprd trusts that root (DAPR_TRUST_ANCHORS) and gets its workload certificate from Sentry.
 */
export function sentryServer(opts: SentryOptions): { process: ManagedProcess; caFile: string; sentryAddress: string } {
  const credentials = join(opts.dir, 'credentials');
  mkdirSync(credentials, { recursive: true });
  const configFile = join(opts.dir, 'sentry-config.yaml');
  writeFileSync(
    configFile,
    stringify({
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: { name: 'daprsystem' },
      spec: { mtls: { enabled: true, workloadCertTTL: '24h', allowedClockSkew: '15m' } },
    }),
  );
  const proc = new ManagedProcess({
    name: 'sentry',
    command: opts.binary,
    args: [
      '--mode',
      'standalone',
      '--issuer-credentials',
      credentials,
      '--trust-domain',
      CONTROL_PLANE_TRUST_DOMAIN,
      '--listen-address',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--healthz-listen-address',
      '127.0.0.1',
      '--healthz-port',
      String(opts.healthzPort),
      '--metrics-listen-address',
      '127.0.0.1',
      '--metrics-port',
      String(opts.metricsPort),
      '--config',
      configFile,
      '--log-as-json',
    ],
    env: { ...opts.env, NAMESPACE: CONTROL_PLANE_NAMESPACE },
    logFile: join(opts.logDir, 'sentry.log'),
    wait: forHttp(`http://127.0.0.1:${opts.healthzPort}/healthz`),
    startTimeoutMs: 30_000,
  });
  return { process: proc, caFile: join(credentials, 'ca.crt'), sentryAddress: `127.0.0.1:${opts.port}` };
}
