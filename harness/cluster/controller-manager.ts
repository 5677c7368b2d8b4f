import { join } from 'node:path';
import { ManagedProcess } from '../process/managed-process';
import { forHttpsOk } from '../process/wait/wait-for-https';
import { componentArgs, type ComponentOptions } from './control-plane';

export interface ControllerManagerOptions extends ComponentOptions {
  /** How often the HPA controller reconciles each HorizontalPodAutoscaler. */
  hpaSyncPeriod: string;
}

/**
 * kube-controller-manager with its default controllers (deployment, replicaset, horizontalpodautoscaling,
 * namespace, garbagecollector, serviceaccount, node lifecycle, …), talking to the API server as the admin user.
 * Only the HPA's sync period is shortened (default 15 s), so a test sees a scaling decision within seconds;
 * its scaling algorithm, tolerance and readiness rules keep their defaults.
 */
export function controllerManagerProcess(opts: ControllerManagerOptions): ManagedProcess {
  return new ManagedProcess({
    name: 'kube-controller-manager',
    command: opts.binary,
    args: [
      ...componentArgs(opts),
      // One instance per API server: electing a leader would only delay the start.
      '--leader-elect=false',
      '--controllers=*',
      '--use-service-account-credentials=false',
      `--service-account-private-key-file=${opts.certs.serviceAccountKey}`,
      `--root-ca-file=${opts.certs.caCert}`,
      `--horizontal-pod-autoscaler-sync-period=${opts.hpaSyncPeriod}`,
    ],
    logFile: join(opts.logDir, 'kube-controller-manager.log'),
    wait: forHttpsOk(`https://127.0.0.1:${opts.port}/healthz`, opts.caPem),
    startTimeoutMs: 60_000,
    stopGraceMs: 5_000,
  });
}
