import type { MetricSample, RunResults } from '../../harness/results/results-model';

/**
 * A run whose driver could not keep its schedule measured the harness, not the deployment: each driver-limited
 * family becomes a `DRIVER_LIMITED` run error, so the verdict fails and says why instead of blaming the target.
 */
export function driverLimitErrors(metrics: MetricSample[]): RunResults['errors'] {
  return metrics
    .filter((m) => m.name === 'load.driver_limited' && m.value === 1)
    .map((m) => ({
      code: 'DRIVER_LIMITED',
      message: `${m.tags.family ?? 'load'}${
        Object.keys(m.tags).length > 1
          ? ` (${Object.entries(m.tags)
              .filter(([k]) => k !== 'family')
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : ''
      }: ${m.note ?? 'the driver could not keep its schedule'}; lower --rate, give the harness a core of its own, or spread the load over more machines (load/k6/)`,
    }));
}
