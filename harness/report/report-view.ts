import type { Verdict } from '../gate/criteria-evaluation';
import { verdictText } from '../gate/verdict-format';
import { formatDurationMs, formatNumber } from '../gate/measured-format';
import type { RunResults } from '../results/results-model';
import { acceptanceView, type AcceptanceView } from './acceptance-view';
import { matrixView, type MatrixView } from './matrix-view';
import { metricRows, subscriberRows, type MetricRowView, type SubscriberView } from './metric-view';
import type { RunComparison } from './run-comparison';
import { capacityViews, costViews, type CapacityView, type CostView } from './capacity-view';
import { autoscaleView, resourceViews, scenarioViews, type AutoscaleView, type ResourceView, type ScenarioView } from './scenario-view';

/**
 * Everything the template shows, as display strings. The template only lays it out; all formatting and every
 * decision (what failed, what regressed) happens here, where it can be tested.
 */
export interface ReportView {
  runId: string;
  kind: string;
  partial: boolean;
  target: string;
  startedAt: string;
  finishedAt: string;
  duration: string;
  runErrors: { code: string; message: string }[];
  verdict?: {
    /** Every criterion this run could measure is met: agrees with the exit code of the command that made the run. */
    passed: boolean;
    /** Criteria only another kind of run measures (load metrics in an acceptance run): judged by the gate over both. */
    notInRun: number;
    criteriaFile: string;
    /** Checks that measured a value and missed the threshold. */
    failed: number;
    /** Required checks this run did not measure (they fail the gate for this run alone). */
    notMeasured: number;
    rows: {
      criterion: string;
      series: string;
      threshold: string;
      measured: string;
      verdict: string;
      cls: string;
      line: string;
      detail?: string;
    }[];
  };
  acceptance: AcceptanceView;
  /** The component conformance matrix, in a matrix run. */
  matrix?: MatrixView;
  chaos: {
    probe: string;
    target: string;
    policy: string;
    passed: boolean;
    note?: string;
    values: { name: string; expected: string; observed: string; tolerance: string }[];
  }[];
  chaosFailed: number;
  securityReview?: {
    summary: string;
    /** Findings at high or critical severity: the ones `npm run review` fails on by default. */
    blocking: number;
    findings: { severity: string; cls: string; where: string; ruleId: string; message: string; fix: string }[];
    suppressed: { where: string; ruleId: string; reason: string }[];
    errors: { where: string; message: string }[];
  };
  scenarios: ScenarioView[];
  subscribers: SubscriberView[];
  pubsubMetrics: MetricRowView[];
  stateMetrics: MetricRowView[];
  otherMetrics: MetricRowView[];
  autoscale?: AutoscaleView;
  resources: ResourceView[];
  capacity: CapacityView[];
  cost: CostView[];
  environment: { rows: { name: string; value: string }[]; components: { name: string; type: string; version: string }[] };
  comparison?: {
    previousRunId: string;
    previousStartedAt: string;
    regressions: number;
    rows: {
      metric: string;
      series: string;
      field: string;
      previous: string;
      current: string;
      delta: string;
      relative: string;
      cls: string;
      note: string;
    }[];
    testChanges: { title: string; previous: string; current: string; cls: string }[];
  };
}

export function reportView(results: RunResults, extra: { verdict?: Verdict; comparison?: RunComparison }): ReportView {
  const durationMs = Date.parse(results.finishedAt) - Date.parse(results.startedAt);
  const chaos = results.chaos.map((c) => ({
    probe: c.probe,
    target: c.target,
    policy: c.policy ?? '-',
    passed: c.passed,
    note: c.note,
    values: [...new Set([...Object.keys(c.expected), ...Object.keys(c.observed)])].map((name) => ({
      name,
      expected: show(c.expected[name]),
      observed: show(c.observed[name]),
      tolerance: show(c.tolerance?.[name]),
    })),
  }));
  const isPubsub = (n: string): boolean => n.startsWith('pubsub.');
  const isState = (n: string): boolean => n.startsWith('state.');
  return {
    runId: results.runId,
    kind: results.kind,
    partial: results.partial,
    target: results.target.description ? `${results.target.kind} (${results.target.description})` : results.target.kind,
    startedAt: results.startedAt,
    finishedAt: results.finishedAt,
    duration: Number.isFinite(durationMs) && durationMs >= 0 ? formatDurationMs(durationMs) : '-',
    runErrors: results.errors,
    verdict: extra.verdict && {
      passed: extra.verdict.passedInScope,
      notInRun: extra.verdict.rows.filter((r) => r.status === 'not in this run').length,
      criteriaFile: extra.verdict.criteriaFile,
      failed: extra.verdict.failures.filter((r) => r.status === 'fail').length,
      notMeasured: extra.verdict.failures.filter((r) => r.status === 'not measured').length,
      rows: extra.verdict.rows.map((r) => ({
        criterion: r.criterion,
        series: r.series || '-',
        threshold: r.threshold,
        measured: r.measuredText,
        verdict: r.status === 'not in this run' ? 'not in this run' : verdictText(r),
        cls: r.status === 'pass' ? 'pass' : r.status === 'skipped' || r.status === 'not in this run' ? 'skip' : 'fail',
        line: r.line > 0 ? `line ${r.line}` : '',
        detail: r.detail,
      })),
    },
    acceptance: acceptanceView(results),
    matrix: matrixView(results),
    chaos,
    chaosFailed: chaos.filter((c) => !c.passed).length,
    securityReview: securityReviewView(results),
    scenarios: scenarioViews(results),
    subscribers: subscriberRows(results),
    stateMetrics: metricRows(results.metrics.filter((m) => isState(m.name))),
    pubsubMetrics: metricRows(results.metrics.filter((m) => isPubsub(m.name))),
    otherMetrics: metricRows(results.metrics.filter((m) => !isState(m.name) && !isPubsub(m.name) && !m.name.startsWith('matrix.'))),
    autoscale: autoscaleView(results),
    resources: resourceViews(results),
    capacity: capacityViews(results),
    cost: costViews(results),
    environment: environmentView(results),
    comparison: extra.comparison && comparisonView(extra.comparison),
  };
}

function show(v: number | string | undefined): string {
  if (v === undefined) return '-';
  return typeof v === 'number' ? formatNumber(v) : v;
}

function environmentView(results: RunResults): ReportView['environment'] {
  const env = results.environment;
  const rows = [
    ['Dapr version', env.daprVersion],
    ['Target', results.target.kind],
    ['Target description', results.target.description],
    ['mTLS', env.mtlsEnabled === undefined ? undefined : env.mtlsEnabled ? 'on' : 'off'],
    ['Configuration digest', env.configurationDigest],
    ['Resiliency digest', env.resiliencyDigest],
    ['Host', env.host],
    ['Node.js', env.node],
    ['Started', results.startedAt],
    ['Finished', results.finishedAt],
  ] as const;
  return {
    rows: rows.map(([name, value]) => ({ name, value: value ?? 'not recorded' })),
    components: env.components.map((c) => ({ name: c.name, type: c.type, version: c.version ?? '-' })),
  };
}

function comparisonView(c: RunComparison): NonNullable<ReportView['comparison']> {
  // Regressions first, then improvements, other changes, and last what did not move.
  const rank = (r: RunComparison['rows'][number]): number => (r.regression ? 0 : r.improvement ? 1 : r.delta !== 0 ? 2 : 3);
  const rows = [...c.rows].sort((a, b) => rank(a) - rank(b) || a.metric.localeCompare(b.metric) || a.series.localeCompare(b.series));
  const num = (v: number | undefined): string => (v === undefined ? '-' : formatNumber(v));
  return {
    previousRunId: c.previousRunId,
    previousStartedAt: c.previousStartedAt,
    regressions: c.regressions.length + c.testChanges.filter((t) => t.regression).length,
    rows: rows.map((r) => ({
      metric: r.metric,
      series: r.series || '-',
      field: r.field,
      previous: num(r.previous),
      current: num(r.current),
      delta: r.delta === undefined ? '-' : `${r.delta > 0 ? '+' : ''}${formatNumber(r.delta)}`,
      relative: r.relative === undefined ? '-' : `${r.relative > 0 ? '+' : ''}${formatNumber(r.relative * 100)} %`,
      cls: r.regression ? 'regression' : r.improvement ? 'improvement' : '',
      note: r.note ?? '',
    })),
    testChanges: c.testChanges.map((t) => ({
      title: t.title,
      previous: t.previous,
      current: t.current,
      cls: t.regression ? 'regression' : t.current === 'passed' ? 'improvement' : '',
    })),
  };
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

function securityReviewView(results: RunResults): ReportView['securityReview'] {
  const r = results.securityReview;
  if (!r) return undefined;
  const findings = [...r.findings].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line,
  );
  const counts = SEVERITY_ORDER.map((sev) => [sev, findings.filter((f) => f.severity === sev).length] as const).filter(([, n]) => n > 0);
  return {
    summary: `${counts.map(([sev, n]) => `${n} ${sev}`).join(' · ') || 'no findings'}; ${r.suppressed.length} suppressed${r.errors.length ? `; ${r.errors.length} file(s) not readable` : ''}`,
    blocking: findings.filter((f) => f.severity === 'critical' || f.severity === 'high').length,
    findings: findings.map((f) => ({
      severity: f.severity,
      cls: f.severity === 'critical' || f.severity === 'high' ? 'fail' : f.severity === 'medium' ? 'deviation' : 'skip',
      where: `${f.file}:${f.line}`,
      ruleId: f.ruleId,
      message: f.message,
      fix: f.fix,
    })),
    suppressed: r.suppressed.map((x) => ({ where: `${x.file}:${x.line}`, ruleId: x.ruleId, reason: x.reason })),
    errors: r.errors.map((e) => ({ where: `${e.file}:${e.line}`, message: e.message })),
  };
}
