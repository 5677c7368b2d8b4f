import { existsSync } from 'node:fs';
import { createProgress } from '../../console/progress';
import { runtimeError } from '../../errors/harness-error';
import { daprChartDir } from '../../helm/dapr-chart';
import { ensureHelm } from '../../helm/helm-binary';

/**
 * Prints the directory of Dapr's chart in the Dapr module of the pinned release (what `helm upgrade --install`
 * takes where the chart repository cannot be reached), or with `--helm` the helm binary built from its module,
 * each alone on stdout so a shell can substitute it.
 */
export async function daprChartCommand(opts: { helm?: boolean }): Promise<number> {
  if (opts.helm) {
    process.stdout.write(`${await ensureHelm(createProgress())}\n`);
    return 0;
  }
  const dir = daprChartDir();
  if (!existsSync(dir))
    throw runtimeError(
      'DAPR_CHART_MISSING',
      `Dapr's chart is not in the Go module cache (${dir})`,
      'run `npm run runtime` (it downloads the Dapr module) and try again',
    );
  process.stdout.write(`${dir}\n`);
  return 0;
}
