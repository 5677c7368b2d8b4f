import { renderTable } from '../../console/table';
import type { PreflightReport } from './control-plane-preflight';

/** The preflight as `dapr status -k` prints it, plus the CRDs, for a `status --target kubernetes` command. */
export function controlPlaneTable(report: PreflightReport): string {
  const workloads = renderTable(
    ['NAME', 'NAMESPACE', 'KIND', 'HEALTHY', 'REPLICAS', 'VERSION'],
    report.workloads.map((w) => [
      w.name,
      w.namespace,
      w.kind,
      w.healthy ? 'True' : 'False',
      w.found ? `${w.available}/${w.desired}` : 'missing',
      w.version ?? '',
    ]),
  );
  const crds = renderTable(
    ['CRD', 'INSTALLED', 'ESTABLISHED', 'VERSIONS'],
    report.crds.map((c) => [c.name, c.installed ? 'True' : 'False', c.established ? 'True' : 'False', c.versions.join(',')]),
  );
  const notes = [...report.problems.map((p) => `✗ ${p}`), ...report.warnings.map((w) => `! ${w}`)];
  return [
    `Kubernetes ${report.serverVersion}, Dapr ${report.daprVersion ?? 'not found'} in ${report.controlPlaneNamespace}`,
    workloads,
    crds,
    ...notes,
  ].join('\n\n');
}
