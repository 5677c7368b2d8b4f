/**
 * results.json: the one record of a run. Suites, chaos probes and load scenarios write into it; the report and
 * the gate read only it. Bump RESULTS_SCHEMA_VERSION on any incompatible change.
 */
import type { ComponentMatrix } from './component-matrix';

export const RESULTS_SCHEMA_VERSION = 1;

export type RunKind = 'acceptance' | 'chaos' | 'load' | 'all' | 'matrix';
export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
  /** Stable id: the full title. */
  id: string;
  title: string;
  /** Titles of the enclosing describe blocks, outermost first. */
  suitePath: string[];
  /** Story and task ids found in the titles, e.g. ["US1", "T018"]. */
  tags: string[];
  /** The suites/ folder the test came from: acceptance, security, observability, chaos. */
  area?: string;
  status: TestStatus;
  durationMs: number;
  failure?: { message: string; stack?: string };
  /** Why a skipped test did not run. `unexplained` is a skip the suite gave no reason for: a defect of the suite. */
  skip?: { kind: 'deselected' | 'not-observable' | 'unexplained'; reason: string };
  /**
   * A failure the user acknowledged in known-deviations.yaml. The status stays `failed`; the verdict shows it apart
   * and the gate counts it separately (`deviations`), so an acknowledged failure is never silently a pass.
   */
  deviation?: { component?: string; reason: string; link?: string };
  /** Numbers the test measured (latencies, counts, expected vs observed). */
  measurements: Record<string, number | string | boolean>;
}

/** A chaos probe's comparison of what the policy declares with what happened. */
export interface ChaosResult {
  probe: string;
  target: string;
  policy?: string;
  expected: Record<string, number | string>;
  observed: Record<string, number | string>;
  tolerance?: Record<string, number>;
  passed: boolean;
  note?: string;
}

export type MetricKind = 'rate' | 'trend' | 'counter' | 'gauge';

/**
 * A named metric, k6-style: `rate` has `rate` (0..1) and counts; `trend` has percentiles in ms and stats;
 * `counter` has `count`; `gauge` has `value`. `tags` distinguish series (subscriber, operation, app).
 */
export interface MetricSample {
  name: string;
  kind: MetricKind;
  tags: Record<string, string>;
  rate?: number;
  passes?: number;
  fails?: number;
  count?: number;
  value?: number;
  /** Percentiles keyed like "p50", "p90", "p99", "p99.9"; plus "min", "max", "avg" in the same unit. */
  stats?: Record<string, number>;
  unit?: string;
  /** What a reader of a failing verdict on this series needs to know (e.g. undelivered events were backlog, not lost). */
  note?: string;
}

/** One process's share of a load scenario's work (local target: from /proc; kubernetes: from metrics-server). */
export interface ProcessCostRecord {
  process: string;
  role: 'sidecar' | 'app' | 'broker' | 'driver';
  cpuSeconds: number;
  cpuSecondsPer1000: number;
  avgCores: number;
  peakRssMb: number;
}

/** What a scenario's work cost, per 1000 requests or events, and the share of the machine it took. */
export interface CostRecord {
  unit: 'request' | 'event';
  units: number;
  wallSeconds: number;
  machineCores: number;
  /** Average cores every process but the driver used over the window. */
  deploymentCores: number;
  /** deploymentCores over machineCores. */
  cpuBudget: number;
  /** Busy share of all cores, every process on the machine included. */
  machineBusyShare?: number;
  /** All cores were busy: the machine, not the deployment, limited the run. */
  machineLimited: boolean;
  processes: ProcessCostRecord[];
  /** Where the usage figures come from; `/proc` where absent (older results). */
  source?: string;
  /** How far to trust the figures, where the source is coarser than /proc (metrics-server's averaging windows). */
  note?: string;
}

/** A load scenario's record: its settings, timeline and histogram, for the report's charts. */
export interface ScenarioResult {
  name: string;
  settings: Record<string, number | string | boolean>;
  /** One point per second. */
  timeline: { t: number; requests: number; errors: number; p50?: number; p99?: number; [k: string]: number | undefined }[];
  /** Latency histogram buckets (upper bound ms → count), per series. */
  histograms?: Record<string, { le: number; count: number }[]>;
  resources?: { process: string; t: number; cpuPercent: number; rssMb: number }[];
  cost?: CostRecord;
  notApplicable?: string;
}

/** One rate a capacity search measured: did the criteria hold, and the latency the criteria bound (worst series). */
export interface CapacityStepRecord {
  ratePerSecond: number;
  achievedRatePerSecond: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  /** Every criterion this kind of run measures held at this rate. */
  met: boolean;
  /** The criteria that broke, as `criterion [series] threshold: measured (detail)`. */
  broken: string[];
  /** Wall time the step took, drain included. */
  elapsedMs: number;
  /** CPU the sampled processes used on average during the step, in cores (local target). */
  cpuCores?: number;
}

/** `--find-capacity`: the rates stepped through, the highest that met the criteria and the lowest that broke them. */
export interface CapacityRecord {
  scenario: string;
  criteriaFile: string;
  stepDurationMs: number;
  warmupMs: number;
  steps: CapacityStepRecord[];
  maxMetRatePerSecond?: number;
  brokenRatePerSecond?: number;
  endedBy: 'resolution' | 'max-rate' | 'min-rate' | 'max-time' | 'aborted';
}

export interface RunEnvironment {
  daprVersion?: string;
  components: { name: string; type: string; version?: string }[];
  configurationDigest?: string;
  resiliencyDigest?: string;
  mtlsEnabled?: boolean;
  host?: string;
  node?: string;
}

export interface SecurityReviewRecord {
  paths: string[];
  findings: { ruleId: string; severity: string; file: string; line: number; message: string; fix: string }[];
  suppressed: { ruleId: string; severity: string; file: string; line: number; reason: string }[];
  /** Files that could not be read or parsed: the review did not see everything it was given. */
  errors: { file: string; line: number; message: string }[];
}

export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  runId: string;
  kind: RunKind;
  /** True when the run was interrupted or failed before it finished; what it measured so far is kept. */
  partial: boolean;
  startedAt: string;
  finishedAt: string;
  target: { kind: 'local' | 'external' | 'kubernetes'; description?: string };
  environment: RunEnvironment;
  tests: TestResult[];
  chaos: ChaosResult[];
  metrics: MetricSample[];
  scenarios: ScenarioResult[];
  /**
   * How the run was narrowed, when it was: `--grep` and the suite areas asked for instead of the command's default.
   * A narrowed run checked less than the command would, so the gate's tests.* criteria reject it unless told not to.
   */
  filter?: { grep?: string; areas?: string[] };
  /** The static security review of the deployment's files (`npm run review`), when the run included one. */
  securityReview?: SecurityReviewRecord;
  /** Capacity searches (`load --find-capacity`), one per scenario searched. */
  capacity?: CapacityRecord[];
  /** The component conformance matrix (`npm run matrix`): guarantees × components, with each set's run beside it. */
  matrix?: ComponentMatrix;
  /** Setup or run-level errors that are not one test's failure. */
  errors: { code: string; message: string }[];
}
