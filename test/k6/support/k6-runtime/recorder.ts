/**
 * What a k6 script did while it ran under the test runtime: every metric sample and check, and the custom
 * metrics it declared. Shared by the runtime modules and the tests (one module instance per process).
 */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface Sample {
  metric: string;
  type: MetricType;
  value: number;
  tags: Record<string, string>;
}

export interface CheckResult {
  name: string;
  passed: boolean;
}

export interface Recording {
  samples: Sample[];
  checks: CheckResult[];
  /** Custom metrics constructed at init, by name. */
  declared: Map<string, MetricType>;
  /** console output of the script, one entry per call. */
  logs: { level: string; text: string }[];
}

export const recording: Recording = { samples: [], checks: [], declared: new Map(), logs: [] };

export function resetRecording(): void {
  recording.samples.length = 0;
  recording.checks.length = 0;
  recording.declared.clear();
  recording.logs.length = 0;
}

export function samplesOf(metric: string, tags: Record<string, string> = {}): Sample[] {
  return recording.samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
}
