import { deployment } from '../../harness/suite-runner/suite-context';
import type { ResourceDocument } from '../../harness/targets/deployment';

/**
 * The Dapr Configurations in force, as the target reads them; undefined when it cannot read them (an external
 * target without resourcesPaths), which makes a check of their settings not observable rather than passed.
 */
export function configurations(): ResourceDocument[] | undefined {
  const resources = deployment().resources;
  if (!resources) return undefined;
  const configs = resources.filter((r) => r.kind === 'Configuration');
  return configs.length > 0 ? configs : undefined;
}

export function specOf<T>(config: ResourceDocument): T {
  return (config.body.spec ?? {}) as T;
}

/** How a Configuration is named in a message: its name and where it came from. */
export function named(config: ResourceDocument): string {
  return `Configuration ${config.name} (${config.source})`;
}

export const NOT_READABLE =
  'the target does not expose the Dapr Configuration in force (external target: list its folder under resourcesPaths in the sidecars file)';

export interface TracingSpec {
  samplingRate?: string;
  zipkin?: { endpointAddress?: string };
  otel?: { endpointAddress?: string };
}

/** What is wrong with a Configuration's tracing, naming the setting to change; undefined when spans are exported. */
export function tracingProblem(config: ResourceDocument): string | undefined {
  const tracing = specOf<{ tracing?: TracingSpec }>(config).tracing;
  if (!tracing)
    return `${named(config)} has no tracing section: set tracing.samplingRate: "1" and tracing.zipkin.endpointAddress (or tracing.otel.endpointAddress)`;
  const rate = Number(tracing.samplingRate ?? '0');
  if (!(rate > 0))
    return `tracing.samplingRate is ${JSON.stringify(tracing.samplingRate ?? '(unset)')} in ${named(config)}, so no request is traced: set it to "1"`;
  if (!tracing.zipkin?.endpointAddress && !tracing.otel?.endpointAddress)
    return `${named(config)} has no tracing endpoint: set tracing.zipkin.endpointAddress or tracing.otel.endpointAddress`;
  return undefined;
}

/** What is wrong with a Configuration's metrics, naming the setting; undefined when they are on (Dapr's default). */
export function metricsProblem(config: ResourceDocument): string | undefined {
  const enabled = specOf<{ metric?: { enabled?: boolean } }>(config).metric?.enabled;
  return enabled === false ? `metric.enabled is false in ${named(config)}: set it to true` : undefined;
}

/** What is wrong with a Configuration's mTLS, naming the setting; undefined when it is on. */
export function mtlsProblem(config: ResourceDocument): string | undefined {
  const enabled = specOf<{ mtls?: { enabled?: boolean } }>(config).mtls?.enabled;
  return enabled === false ? `mtls.enabled is false in ${named(config)}: set it to true` : undefined;
}
