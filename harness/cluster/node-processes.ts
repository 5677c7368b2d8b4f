import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManagedProcess } from '../process/managed-process';
import { forHttp } from '../process/wait/wait-for-http';
import { forHttpsOk } from '../process/wait/wait-for-https';
import { pollUntil, type WaitStrategy } from '../process/wait/wait-strategy';
import type { ClusterLayout } from './cluster-layout';
import { componentArgs, type ComponentOptions } from './control-plane';

const run = promisify(execFile);

/** Ready once containerd answers `ctr version` on its socket. */
function forContainerd(ctr: string, socket: string): WaitStrategy {
  return {
    describe: () => `containerd to answer on ${socket}`,
    async waitUntilReady(ctx): Promise<void> {
      await pollUntil(
        () =>
          run(ctr, ['--address', socket, 'version'], { timeout: 5_000 }).then(
            () => true,
            () => false,
          ),
        ctx.signal,
      );
    },
  };
}

export function containerdProcess(l: ClusterLayout, bins: { containerd: string; ctr: string }): ManagedProcess {
  return new ManagedProcess({
    name: 'containerd',
    command: bins.containerd,
    args: ['--config', l.containerdConfig, '--log-level', 'warn'],
    // The shims it starts find runc and the CNI plugins on PATH.
    env: { PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` },
    logFile: join(l.logDir, 'containerd.log'),
    wait: forContainerd(bins.ctr, l.containerdSocket),
    startTimeoutMs: 60_000,
    stopGraceMs: 10_000,
  });
}

export function schedulerProcess(opts: ComponentOptions): ManagedProcess {
  return new ManagedProcess({
    name: 'kube-scheduler',
    command: opts.binary,
    // One instance: electing a leader would only delay the start.
    args: [...componentArgs(opts), '--leader-elect=false'],
    logFile: join(opts.logDir, 'kube-scheduler.log'),
    wait: forHttpsOk(`https://127.0.0.1:${opts.port}/healthz`, opts.caPem),
    startTimeoutMs: 60_000,
    stopGraceMs: 5_000,
  });
}

export function kubeletProcess(
  l: ClusterLayout,
  opts: { binary: string; config: string; kubeconfig: string; nodeIp: string; healthzPort: number },
): ManagedProcess {
  return new ManagedProcess({
    name: 'kubelet',
    command: opts.binary,
    args: [
      `--config=${opts.config}`,
      `--kubeconfig=${opts.kubeconfig}`,
      `--root-dir=${l.kubeletRoot}`,
      `--hostname-override=${l.nodeName}`,
      `--node-ip=${opts.nodeIp}`,
      '--v=1',
    ],
    env: { PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` },
    logFile: join(l.logDir, 'kubelet.log'),
    wait: forHttp(`http://127.0.0.1:${opts.healthzPort}/healthz`),
    startTimeoutMs: 120_000,
    stopGraceMs: 10_000,
  });
}

export function kubeProxyProcess(l: ClusterLayout, opts: { binary: string; config: string; healthzPort: number }): ManagedProcess {
  return new ManagedProcess({
    name: 'kube-proxy',
    command: opts.binary,
    args: [`--config=${opts.config}`, '--v=1'],
    env: { PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}` },
    logFile: join(l.logDir, 'kube-proxy.log'),
    // 503 until its first sync of the node's rules; then 200.
    wait: forHttp(`http://127.0.0.1:${opts.healthzPort}/healthz`),
    startTimeoutMs: 120_000,
    stopGraceMs: 5_000,
  });
}
