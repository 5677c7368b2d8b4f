import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { usageError } from '../errors/harness-error';
import type { Progress } from '../console/progress';
import type { Deployment } from '../targets/deployment';
import type { AuditLog } from '../audit/audit-log';
import { loadKubeConfig } from '../targets/kubernetes/kube-config';
import { openKubernetesTarget } from '../targets/kubernetes/kubernetes-target';
import { connectExternal, parseSidecarFlags, readExternalSpec, type ExternalSpec } from '../targets/external/external-target';
import { checkLocalPrerequisites, startLocalDeployment } from '../targets/local/local-target';
import { DEFAULT_RUN_FILE, DEFAULT_RUN_ROOT } from '../paths';
import { isDefaultSelection, parseSelection, type ComponentSelection } from '../targets/local/components/component-choices';
import { MATRIX_COMPONENTS } from '../results/component-matrix';

export interface TargetOptions {
  target: string;
  runFile: string;
  sidecar?: string[];
  sidecarsFile?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** local: the pub/sub and state components to run (`--pubsub`, `--state`). */
  pubsub?: string;
  state?: string;
}

export const TARGETS = ['local', 'external', 'kubernetes'] as const;

/** The flags every command that runs against a deployment shares. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '-t, --target <kind>',
        'where the deployment is: local (start the reference deployment here), external (sidecar URLs), kubernetes',
      ).default('local'),
    )
    .option('--run-file <file>', 'local: Multi-App Run file to start', DEFAULT_RUN_FILE)
    .option('--sidecar <appId=url...>', 'external: a sidecar per app id, e.g. sample-app=http://127.0.0.1:3500 (repeatable)')
    .option('--sidecars-file <file>', 'external: YAML/JSON with apps: [{appId, sidecar, app?, metrics?}]')
    .option('--kubeconfig <file>', 'kubernetes: kubeconfig file')
    .option('--context <name>', 'kubernetes: kubeconfig context')
    .option('--namespace <ns>', "kubernetes: namespace of the apps (default: the kubeconfig context's, else dapr-harness)")
    .option('--pubsub <name>', `local: the pub/sub component to run: ${MATRIX_COMPONENTS.pubsub.join(', ')} (default nats)`)
    .option('--state <name>', `local: the state store to run: ${MATRIX_COMPONENTS.state.join(', ')} (default redis)`);
}

/** The target flags, checked and read once: what the session opens. */
export type TargetSpec =
  | { kind: 'local'; runFile: string; components?: ComponentSelection }
  | { kind: 'external'; external: ExternalSpec }
  | { kind: 'kubernetes'; kubeconfig?: string; context?: string; namespace?: string };

/**
 * Checks the target flags and reads what they point at (the sidecars file) before anything starts, once: bad input
 * is a usage error (exit 2) here, and nothing downstream parses the flags again.
 */
export function parseTargetOptions(opts: TargetOptions): TargetSpec {
  validateTargetOptions(opts);
  switch (opts.target as (typeof TARGETS)[number]) {
    case 'local': {
      const components = parseSelection(opts);
      checkLocalPrerequisites(resolve(opts.runFile), components);
      return { kind: 'local', runFile: resolve(opts.runFile), ...(isDefaultSelection(components) ? {} : { components }) };
    }
    case 'external':
      return {
        kind: 'external',
        external: opts.sidecarsFile ? readExternalSpec(opts.sidecarsFile) : parseSidecarFlags(opts.sidecar ?? []),
      };
    case 'kubernetes':
      return { kind: 'kubernetes', kubeconfig: opts.kubeconfig, context: opts.context, namespace: opts.namespace };
  }
}

function validateTargetOptions(opts: TargetOptions): void {
  if (!(TARGETS as readonly string[]).includes(opts.target)) {
    throw usageError('UNKNOWN_TARGET', `unknown target "${opts.target}"`, `use --target ${TARGETS.join(', ')}`);
  }
  if (opts.target === 'external' && !opts.sidecar?.length && !opts.sidecarsFile) {
    throw usageError(
      'BAD_FLAG',
      '--target external needs the sidecars to test',
      'pass --sidecar app-id=URL (repeatable) or --sidecars-file F',
    );
  }
  if (opts.target !== 'local' && (opts.pubsub !== undefined || opts.state !== undefined))
    throw usageError(
      'BAD_FLAG',
      `--pubsub and --state choose the components of the local reference deployment, not of a ${opts.target} target`,
      'drop them, or use --target local',
    );
  if (opts.sidecarsFile && !existsSync(opts.sidecarsFile))
    throw usageError('BAD_FLAG', `--sidecars-file ${opts.sidecarsFile} does not exist`, 'give the path of a YAML/JSON file');
  // Checked before anything starts: a missing file or an unknown context is bad input (exit 2).
  if (opts.target === 'kubernetes') loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
}

export async function openTarget(
  spec: TargetSpec,
  ctx: { runId: string; runDir: string; progress: Progress; signal: AbortSignal; audit: AuditLog },
): Promise<Deployment> {
  switch (spec.kind) {
    case 'local':
      return startLocalDeployment({
        runFile: spec.runFile,
        ...(spec.components ? { components: spec.components } : {}),
        runRoot: resolve(DEFAULT_RUN_ROOT),
        runId: ctx.runId,
        progress: ctx.progress,
        signal: ctx.signal,
        audit: ctx.audit,
      });
    case 'external':
      return connectExternal(spec.external, ctx.runId, ctx.runDir, process.env.DAPR_API_TOKEN || undefined);
    case 'kubernetes':
      return openKubernetesTarget({
        kubeconfig: spec.kubeconfig,
        context: spec.context,
        namespace: spec.namespace,
        runId: ctx.runId,
        runDir: ctx.runDir,
        progress: ctx.progress,
        signal: ctx.signal,
      });
  }
}
