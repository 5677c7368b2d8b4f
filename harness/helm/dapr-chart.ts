import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runtimeError } from '../errors/harness-error';
import { REPO_ROOT } from '../paths';
import { daprModuleDir } from '../runtime/dapr-module';
import { pinnedDaprVersion } from '../runtime/runtime-binaries';

const run = promisify(execFile);

export const DAPR_RELEASE = 'dapr';
export const DAPR_NAMESPACE = 'dapr-system';

/** k8s/dapr-system's values, then what a single-node cluster with imported images needs on top. */
export const DAPR_VALUES_FILES = ['dapr-values.yaml', 'dapr-values-single-node.yaml'].map((f) => join(REPO_ROOT, 'k8s', 'dapr-system', f));

/** Dapr's own chart, from the module of the release the harness builds (the Go module cache holds it). */
export function daprChartDir(version = pinnedDaprVersion()): string {
  return join(daprModuleDir(version), 'charts', 'dapr');
}

/** `helm template`/`helm upgrade --install` arguments after the verb: release, chart, namespace, values. */
export function daprChartArgs(chartDir = daprChartDir()): string[] {
  return [DAPR_RELEASE, chartDir, '--namespace', DAPR_NAMESPACE, ...DAPR_VALUES_FILES.flatMap((f) => ['--values', f])];
}

/** The manifests Helm would install, rendered without a cluster. */
export async function renderDaprChart(helm: string, chartDir = daprChartDir()): Promise<string> {
  try {
    const { stdout } = await run(helm, ['template', ...daprChartArgs(chartDir)], { maxBuffer: 64 << 20 });
    return stdout;
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
    throw runtimeError(
      'HELM_TEMPLATE_FAILED',
      `helm template of ${chartDir} failed: ${detail}`,
      `check ${DAPR_VALUES_FILES.join(' and ')}`,
      err,
    );
  }
}
