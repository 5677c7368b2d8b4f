import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { usageError } from '../errors/harness-error';
import type { Progress } from '../console/progress';
import type { Deployment } from '../targets/deployment';
import type { AuditLog } from '../audit/audit-log';
import { loadKubeConfig } from '../targets/kubernetes/kube-config';
import { openKubernetesTarget } from '../targets/kubernetes/kubernetes-target';
import { connectExternal, parseSidecarFlags, readExternalSpec } from '../targets/external/external-target';
import { startLocalDeployment } from '../targets/local/local-target';
import { DEFAULT_RUN_FILE, DEFAULT_RUN_ROOT } from '../paths';

export interface TargetOptions {
  target: string;
  runFile: string;
  sidecar?: string[];
  sidecarsFile?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

export const TARGETS = ['local', 'external', 'kubernetes'] as const;

/** The flags every command that runs against a deployment shares. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-t, --target <kind>', 'where the deployment is: local (start the reference deployment here), external (sidecar URLs), kubernetes').default('local'))
    .option('--run-file <file>', 'local: Multi-App Run file to start', DEFAULT_RUN_FILE)
    .option('--sidecar <appId=url...>', 'external: a sidecar per app id, e.g. sample-app=http://127.0.0.1:3500 (repeatable)')
    .option('--sidecars-file <file>', 'external: YAML/JSON with apps: [{appId, sidecar, app?, metrics?}]')
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig file')
    .option('--context <name>', 'kubernetes: kubeconfig context')
    .option('--namespace <ns>', 'kubernetes: namespace of the apps');
}

/** Checks the target flags before anything starts. */
export function validateTargetOptions(opts: TargetOptions): void {
  if (!(TARGETS as readonly string[]).includes(opts.target)) {
    throw usageError('UNKNOWN_TARGET', `unknown target "${opts.target}"`, `use --target ${TARGETS.join(', ')}`);
  }
  if (opts.target === 'external' && !opts.sidecar?.length && !opts.sidecarsFile) {
    throw usageError('BAD_FLAG', '--target external needs the sidecars to test', 'pass --sidecar app-id=URL (repeatable) or --sidecars-file F');
  }
  if (opts.sidecarsFile && !existsSync(opts.sidecarsFile)) throw usageError('BAD_FLAG', `--sidecars-file ${opts.sidecarsFile} does not exist`, 'give the path of a YAML/JSON file');
  // Checked before anything starts: a missing file or an unknown context is bad input (exit 2).
  if (opts.target === 'kubernetes') loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
}

export async function openTarget(opts: TargetOptions, ctx: { runId: string; runDir: string; progress: Progress; signal: AbortSignal; audit: AuditLog }): Promise<Deployment> {
  switch (opts.target) {
    case 'local':
      return startLocalDeployment({
        runFile: resolve(opts.runFile),
        runRoot: resolve(DEFAULT_RUN_ROOT),
        runId: ctx.runId,
        progress: ctx.progress,
        signal: ctx.signal,
        audit: ctx.audit,
      });
    case 'external': {
      const spec = opts.sidecarsFile ? readExternalSpec(opts.sidecarsFile) : parseSidecarFlags(opts.sidecar ?? []);
      return connectExternal(spec, ctx.runId, ctx.runDir, process.env.DAPR_API_TOKEN || undefined);
    }
    case 'kubernetes':
      return openKubernetesTarget({
        kubeconfig: opts.kubeconfig,
        context: opts.context,
        namespace: opts.namespace,
        runId: ctx.runId,
        runDir: ctx.runDir,
        progress: ctx.progress,
        signal: ctx.signal,
      });
    default:
      throw usageError('UNKNOWN_TARGET', `unknown target "${opts.target}"`, `use --target ${TARGETS.join(', ')}`);
  }
}
