import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Progress } from '../console/progress';
import { runtimeError } from '../errors/harness-error';
import { REPO_ROOT } from '../paths';
import { signalGroup } from '../process/managed-process';
import { INSTALL_README, singleNodeInstallSteps } from './readme-install';

export interface DaprInstallOptions {
  kubeconfig: string;
  /** The cluster's own kubectl: the README expects one on PATH, and a machine may have none. */
  kubectl: string;
  logDir: string;
  progress: Progress;
  signal?: AbortSignal;
}

/**
 * Installs the Dapr control plane, the secrets, Redis and NATS and the JetStream stream on the one-machine cluster
 * by running k8s/dapr-system/README.md's single-node commands as they stand in the README (extracted from it, so
 * what `cluster up` does and what a user reads cannot drift apart), from the repository root.
 */
export async function installDaprAsReadmeSays(o: DaprInstallOptions): Promise<{ seconds: number }> {
  const started = Date.now();
  const log = join(o.logDir, 'dapr-install.log');
  const fd = openSync(log, 'w');
  try {
    for (const step of singleNodeInstallSteps()) {
      o.progress.log(`Dapr and its backing services: ${INSTALL_README.slice(REPO_ROOT.length + 1)} "${step.heading}"`);
      writeSync(fd, `\n### ${step.heading}\n`);
      const code = await runStep(step.script, fd, o);
      if (code !== 0) {
        const tail = lastLines(log, 3);
        throw runtimeError(
          'DAPR_INSTALL_FAILED',
          `"${step.heading}" of ${INSTALL_README.slice(REPO_ROOT.length + 1)} failed (exit ${code})${tail ? `: ${tail}` : ''}`,
          `see ${log}; \`npm run cluster -- up --no-dapr\` starts the cluster without it`,
        );
      }
    }
    // helm's --wait may return while a StatefulSet's last replica (dapr-scheduler-server's third) still starts; a
    // run right after `up` must meet the whole control plane, which the harness's preflight requires.
    o.progress.log('Dapr and its backing services: waiting for every Deployment and StatefulSet in dapr-system to be Ready');
    writeSync(fd, '\n### every Deployment and StatefulSet in dapr-system Ready\n');
    const ready = await runStep(READY_SCRIPT, fd, o);
    if (ready !== 0)
      throw runtimeError(
        'DAPR_NOT_READY',
        `the Dapr control plane was installed but not all of it became Ready within 5 min${lastLines(log, 2) ? `: ${lastLines(log, 2)}` : ''}`,
        `see ${log} and \`kubectl -n dapr-system get pods\` with .run/cluster/kubeconfig`,
      );
  } finally {
    closeSync(fd);
  }
  return { seconds: (Date.now() - started) / 1000 };
}

const READY_SCRIPT = [
  'kubectl -n dapr-system rollout status deployment --timeout=5m',
  'kubectl -n dapr-system rollout status statefulset --timeout=5m',
].join('\n');

function runStep(script: string, fd: number, o: DaprInstallOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason);
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: o.kubeconfig, PATH: `${dirname(o.kubectl)}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', fd, fd],
      // Its own group, so an interrupt ends helm and kubectl with the shell.
      detached: true,
    });
    const onAbort = (): void => {
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      o.signal?.removeEventListener('abort', onAbort);
      if (o.signal?.aborted) reject(o.signal.reason);
      else resolve(code ?? (sig ? 128 : 1));
    });
  });
}

function lastLines(file: string, n: number): string {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('### '))
    .slice(-n)
    .join(' · ');
}
