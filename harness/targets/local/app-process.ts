import { join } from 'node:path';
import { ManagedProcess } from '../../process/managed-process';
import { forHttp } from '../../process/wait/wait-for-http';
import { forPort } from '../../process/wait/wait-for-port';
import type { RunApp } from './multi-app-run';
import type { SidecarPorts } from './daprd';

/**
 * An app of the Multi-App Run file, started with the environment the Dapr CLI gives it
 * (APP_ID, APP_PORT, DAPR_HTTP_PORT, DAPR_GRPC_PORT) so the same app runs under `dapr run -f` unchanged.
 */
export function appProcess(
  name: string,
  instance: number,
  app: RunApp,
  appPort: number,
  sidecar: SidecarPorts,
  logDir: string,
  env: Record<string, string>,
): ManagedProcess {
  const [command, ...args] = app.command as [string, ...string[]];
  return new ManagedProcess({
    name,
    command,
    args,
    cwd: app.appDir,
    env: {
      ...env,
      ...app.env,
      APP_ID: app.appId,
      INSTANCE: String(instance),
      APP_PORT: String(appPort),
      DAPR_HOST: '127.0.0.1',
      DAPR_HTTP_PORT: String(sidecar.http),
      DAPR_GRPC_PORT: String(sidecar.grpc),
    },
    logFile: join(logDir, `${name}.log`),
    wait: app.appHealthCheckPath ? forHttp(`http://127.0.0.1:${appPort}${app.appHealthCheckPath}`) : forPort('127.0.0.1', appPort),
    startTimeoutMs: 60_000,
  });
}
