export { runLoad } from './load-driver';
export { DRIVER_DEFAULTS, resolveDriverOptions } from './driver-options';
export type {
  ClassifyResponse,
  DriverOptions,
  DriverRequest,
  LoadModel,
  ProgressSnapshot,
  RampStage,
  RequestTiming,
} from './driver-options';
export { successRate, toMetricSamples, toScenarioResult } from './driver-result';
export type { DriverResult, DriverTotals, StopReason } from './driver-result';
export { epochNow } from './epoch-clock';
export { formatResult } from './format-result';
export { isLoopbackHost } from './loopback-guard';
export { DRIVER_LATENESS_BOUND_MS, DRIVER_CPU_BOUND_CORES, type DriverHealth } from './driver-health';
export { driverLimitErrors } from './driver-limit-errors';
