import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClusterLayout } from './cluster-layout';

/** What `status` and `down` need to know about a running cluster, written once it is up. */
export interface ClusterState {
  server: string;
  kubeconfig: string;
  context: string;
  nodeName: string;
  nodeIp: string;
  version: string;
  /** The process that holds the cluster (foreground `up`, or the detached supervisor). */
  supervisorPid: number;
  startedAt: string;
  /** From the kubelet's start to the node reporting Ready. */
  nodeReadySeconds: number;
  /** How long installing Dapr and its backing services took, when `up` installed them. */
  daprInstallSeconds?: number;
  processes: { name: string; pid: number }[];
}

export function writeClusterState(l: ClusterLayout, state: ClusterState): void {
  writeFileSync(l.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

export function readClusterState(l: ClusterLayout): ClusterState | undefined {
  if (!existsSync(l.stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(l.stateFile, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function clearClusterState(l: ClusterLayout): void {
  rmSync(l.stateFile, { force: true });
}
