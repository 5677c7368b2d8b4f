import { join } from 'node:path';
import { ManagedProcess } from '../../process/managed-process';
import { forHttp } from '../../process/wait/wait-for-http';
import type { DaprResource } from './dapr-resources';
import { explainDaprdExit } from './daprd-log';
import { CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_TRUST_DOMAIN } from './sentry';

export interface SidecarPorts {
  http: number;
  grpc: number;
  internalGrpc: number;
  metrics: number;
}

export interface DaprdOptions {
  /** Process name of the app this sidecar serves; the sidecar is `<name>-daprd`. */
  name: string;
  binary: string;
  appId: string;
  appPort: number;
  appProtocol: string;
  ports: SidecarPorts;
  resourcesDir: string;
  configFile: string;
  mtls: { enabled: boolean; sentryAddress: string; trustAnchors: string };
  logLevel: string;
  logDir: string;
  env: Record<string, string>;
  /** The source resources, to name the file of a component that makes daprd fail. */
  resources: DaprResource[];
}

/** One daprd sidecar bound to loopback; ready when its healthz answers, which needs its components and app up. */
export function daprdProcess(opts: DaprdOptions): ManagedProcess {
  const args = [
    '--mode',
    'standalone',
    '--app-id',
    opts.appId,
    '--app-port',
    String(opts.appPort),
    '--app-protocol',
    opts.appProtocol,
    '--app-channel-address',
    '127.0.0.1',
    '--dapr-listen-addresses',
    '127.0.0.1',
    '--dapr-http-port',
    String(opts.ports.http),
    '--dapr-grpc-port',
    String(opts.ports.grpc),
    '--dapr-internal-grpc-port',
    String(opts.ports.internalGrpc),
    '--dapr-internal-grpc-listen-address',
    '127.0.0.1',
    '--metrics-listen-address',
    '127.0.0.1',
    '--metrics-port',
    String(opts.ports.metrics),
    '--resources-path',
    opts.resourcesDir,
    '--config',
    opts.configFile,
    '--log-level',
    opts.logLevel,
    '--log-as-json',
    '--control-plane-trust-domain',
    CONTROL_PLANE_TRUST_DOMAIN,
    '--control-plane-namespace',
    CONTROL_PLANE_NAMESPACE,
  ];
  const env: Record<string, string> = { ...opts.env, NAMESPACE: 'default' };
  if (opts.mtls.enabled) {
    args.push('--enable-mtls', '--sentry-address', opts.mtls.sentryAddress);
    env.DAPR_TRUST_ANCHORS = opts.mtls.trustAnchors;
  }
  return new ManagedProcess({
    name: `${opts.name}-daprd`,
    command: opts.binary,
    args,
    env,
    logFile: join(opts.logDir, `${opts.name}-daprd.log`),
    wait: forHttp(`http://127.0.0.1:${opts.ports.http}/v1.0/healthz`, [204]),
    startTimeoutMs: 60_000,
    explainExit: (logFile) => explainDaprdExit(logFile, opts.resources),
  });
}
