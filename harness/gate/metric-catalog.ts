import type { RunKind } from '../results/results-model';
import { nearestName } from '../naming/nearest-name';
import type { SeriesKind } from './metric-series';
import { allMatrixMetricNames } from '../results/component-matrix';

/**
 * Every metric the harness records, with its kind and the kinds of run that measure it. The gate checks a criteria
 * file against this before it reads any run, so a misspelt metric or an aggregation its kind does not have is a
 * usage error (exit 2) even when the criterion is optional, instead of a row that is skipped forever.
 */
export interface MetricInfo {
  kind: SeriesKind;
  measuredBy: readonly RunKind[];
  unit?: string;
}

const LOAD: readonly RunKind[] = ['load', 'all'];

/** What the load driver records for each family of requests (invoke, invoke.baseline, state, pubsub.publish). */
function driverFamily(prefix: string): Record<string, MetricInfo> {
  return {
    [`${prefix}.success_rate`]: { kind: 'rate', measuredBy: LOAD },
    [`${prefix}.requests`]: { kind: 'counter', measuredBy: LOAD },
    [`${prefix}.errors`]: { kind: 'counter', measuredBy: LOAD },
    [`${prefix}.timeouts`]: { kind: 'counter', measuredBy: LOAD },
    [`${prefix}.dropped`]: { kind: 'counter', measuredBy: LOAD },
    [`${prefix}.errors_by_kind`]: { kind: 'counter', measuredBy: LOAD },
    [`${prefix}.achieved_rate`]: { kind: 'gauge', measuredBy: LOAD, unit: '1/s' },
    [`${prefix}.latency`]: { kind: 'trend', measuredBy: LOAD, unit: 'ms' },
    [`${prefix}.latency_uncorrected`]: { kind: 'trend', measuredBy: LOAD, unit: 'ms' },
  };
}

export const METRIC_CATALOG: Readonly<Record<string, MetricInfo>> = {
  'tests.acceptance': { kind: 'tests', measuredBy: ['acceptance', 'all'] },
  'tests.chaos': { kind: 'tests', measuredBy: ['chaos', 'all'] },
  ...driverFamily('invoke'),
  ...driverFamily('invoke.baseline'),
  ...driverFamily('state'),
  ...driverFamily('pubsub.publish'),
  ...driverFamily('autoscale.load'),
  'invoke.sidecar_overhead': { kind: 'gauge', measuredBy: LOAD, unit: 'ms' },
  'state.overall_success_rate': { kind: 'rate', measuredBy: LOAD },
  'pubsub.publish_success_rate': { kind: 'rate', measuredBy: LOAD },
  'pubsub.delivery_rate': { kind: 'rate', measuredBy: LOAD },
  'pubsub.delivered': { kind: 'counter', measuredBy: LOAD },
  'pubsub.lost': { kind: 'counter', measuredBy: LOAD },
  'pubsub.duplicates': { kind: 'counter', measuredBy: LOAD },
  'pubsub.late': { kind: 'counter', measuredBy: LOAD },
  'pubsub.negative_latency': { kind: 'counter', measuredBy: LOAD },
  'pubsub.clock_offset': { kind: 'gauge', measuredBy: LOAD, unit: 'ms' },
  'pubsub.clock_offset_uncertainty': { kind: 'gauge', measuredBy: LOAD, unit: 'ms' },
  'pubsub.e2e_latency': { kind: 'trend', measuredBy: LOAD, unit: 'ms' },
  'pubsub.e2e_latency_uncorrected': { kind: 'trend', measuredBy: LOAD, unit: 'ms' },
  'pubsub.backlog': { kind: 'counter', measuredBy: LOAD },
  'pubsub.backlog_drain_time': { kind: 'gauge', measuredBy: LOAD, unit: 'ms' },
  'load.driver_limited': { kind: 'gauge', measuredBy: LOAD },
  'load.driver_lateness': { kind: 'trend', measuredBy: LOAD, unit: 'ms' },
  'load.driver_cpu': { kind: 'gauge', measuredBy: LOAD, unit: 'cores' },
  'capacity.max_rate': { kind: 'gauge', measuredBy: LOAD, unit: '1/s' },
  'capacity.broken_rate': { kind: 'gauge', measuredBy: LOAD, unit: '1/s' },
  'cost.cpu_seconds_per_1000': { kind: 'gauge', measuredBy: LOAD, unit: 's' },
  'cost.peak_rss': { kind: 'gauge', measuredBy: LOAD, unit: 'MB' },
  'cost.cpu_budget': { kind: 'gauge', measuredBy: LOAD },
  'autoscale.max_replicas': { kind: 'gauge', measuredBy: LOAD },
  'autoscale.time_to_reach': { kind: 'gauge', measuredBy: LOAD, unit: 'ms' },
  'autoscale.scale_back_time': { kind: 'gauge', measuredBy: LOAD, unit: 'ms' },
  // One rate per matrix cell (1: the guarantee held), e.g. matrix.state.postgresql.transaction: ['rate==1'].
  ...Object.fromEntries(allMatrixMetricNames().map((name) => [name, { kind: 'rate', measuredBy: ['matrix'] } satisfies MetricInfo])),
};

export function metricInfo(name: string): MetricInfo | undefined {
  return METRIC_CATALOG[name];
}

export function suggestMetric(name: string): string | undefined {
  return nearestName(name, Object.keys(METRIC_CATALOG));
}
