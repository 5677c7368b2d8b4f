import { usageError } from '../../errors/harness-error';
import { withSession, type Session } from '../../session/run-session';
import { parseTargetOptions, type TargetOptions, type TargetSpec } from '../../session/target-options';
import { LOAD_DEFAULTS, SCENARIOS, type LoadSettings, type Scenario } from '../../../load/scenarios';
import { renderTable } from '../../console/table';
import { driverLimitErrors, isLoopbackHost } from '../../../load/driver';
import { parseDuration, parsePositiveInt, parseRate, parseSize } from '../units';
import type { RunResults } from '../../results/results-model';
import { loadCriteria } from '../../gate/criteria-file';
import { DEFAULT_CRITERIA_FILE } from '../../paths';
import { findCapacity, formatCapacity, judgeStep, type CapacityOptions } from '../../../load/capacity/find-capacity';
import { SEARCH_DEFAULTS } from '../../../load/capacity/capacity-search';
import type { DrainPolicy } from '../../../load/scenarios/delivery-drain';

export interface LoadOptions extends TargetOptions {
  scenario: string;
  rate?: string;
  duration?: string;
  warmup?: string;
  connections?: string;
  payload?: string;
  drain?: string;
  drainMax?: string;
  lateAfter?: string;
  scaleBack?: string;
  autoscaleTime?: string;
  keepUp?: boolean;
  out?: string;
  findCapacity?: boolean;
  maxTime?: string;
  criteria?: string;
}

export async function runScenariosInSession(session: Session, scenarios: Scenario[], settings: LoadSettings): Promise<void> {
  for (const scenario of scenarios) {
    if (session.signal.aborted) break;
    session.progress.log(
      scenario.name === 'autoscale'
        ? `scenario autoscale: ${scenario.description} · ${settings.ratePerSecond}/s until the HPA's maxReplicas are Ready, at most ${settings.autoscaleMs / 1000}s`
        : `scenario ${scenario.name}: ${scenario.description} · ${settings.ratePerSecond}/s for ${settings.durationMs / 1000}s (+${settings.warmupMs / 1000}s warm-up)`,
    );
    const before = session.results.metrics.length;
    await scenario.run({
      deployment: session.deployment,
      results: session.results,
      settings,
      progress: session.progress,
      signal: session.signal,
      save: session.save,
    });
    session.results.errors.push(...driverLimitErrors(session.results.metrics.slice(before)));
    session.save();
  }
}

/** Flags are parsed once, here, into numbers with units in their names. */
export function loadSettings(o: LoadOptions): LoadSettings {
  return {
    ratePerSecond: o.rate ? parseRate(o.rate, '--rate') : LOAD_DEFAULTS.ratePerSecond,
    durationMs: o.duration ? parseDuration(o.duration, '--duration') : LOAD_DEFAULTS.durationMs,
    warmupMs: o.warmup ? (o.warmup === '0' ? 0 : parseDuration(o.warmup, '--warmup')) : LOAD_DEFAULTS.warmupMs,
    connections: o.connections ? parsePositiveInt(o.connections, '--connections') : LOAD_DEFAULTS.connections,
    payloadBytes: o.payload ? parseSize(o.payload, '--payload') : LOAD_DEFAULTS.payloadBytes,
    drain: drainPolicy(o),
    lateAfterMs: o.lateAfter ? parseDuration(o.lateAfter, '--late-after') : LOAD_DEFAULTS.lateAfterMs,
    autoscaleMs: o.autoscaleTime ? parseDuration(o.autoscaleTime, '--autoscale-time') : LOAD_DEFAULTS.autoscaleMs,
    scaleBackMs: o.scaleBack ? (o.scaleBack === '0' ? 0 : parseDuration(o.scaleBack, '--scale-back')) : LOAD_DEFAULTS.scaleBackMs,
  };
}

/** `--find-capacity` without --rate starts here, and steps last this long unless --duration says otherwise. */
const CAPACITY_START_RATE = 100;
const CAPACITY_STEP_MS = 30_000;
const DEFAULT_MAX_TIME_MS = 20 * 60_000;

/**
 * One scenario, judged per step against the criteria file. Pub/sub steps drain until empty (bounded) unless
 * --drain says otherwise, so a step that broke the criteria leaves no backlog behind for the next one.
 */
function capacityPlan(opts: LoadOptions, chosen: Scenario[], settings: LoadSettings): CapacityOptions {
  const scenario = chosen.length === 1 ? chosen[0] : undefined;
  if (!scenario || scenario.name === 'autoscale')
    throw usageError(
      'BAD_FLAG',
      `--find-capacity searches one scenario at a time, not ${opts.scenario}`,
      'use --scenario invoke, pubsub or state with --find-capacity',
    );
  const durationMs = opts.duration ? settings.durationMs : CAPACITY_STEP_MS;
  const drain: DrainPolicy = opts.drain ? settings.drain : { kind: 'until-empty', maxMs: Math.max(60_000, 2 * durationMs) };
  return {
    scenario,
    settings: { ...settings, durationMs, drain },
    criteria: loadCriteria(opts.criteria ?? DEFAULT_CRITERIA_FILE),
    plan: {
      ...SEARCH_DEFAULTS,
      startRatePerSecond: opts.rate ? settings.ratePerSecond : CAPACITY_START_RATE,
      maxTimeMs: opts.maxTime ? parseDuration(opts.maxTime, '--max-time') : DEFAULT_MAX_TIME_MS,
    },
  };
}

/** Default bound of `--drain until-empty`. */
const DEFAULT_DRAIN_MAX_MS = 300_000;

function drainPolicy(o: LoadOptions): DrainPolicy {
  if (o.drain === 'until-empty')
    return { kind: 'until-empty', maxMs: o.drainMax ? parseDuration(o.drainMax, '--drain-max') : DEFAULT_DRAIN_MAX_MS };
  if (o.drainMax)
    throw usageError('BAD_FLAG', '--drain-max bounds `--drain until-empty` only', 'add --drain until-empty, or drop --drain-max');
  return o.drain ? { kind: 'window', windowMs: parseDuration(o.drain, '--drain') } : LOAD_DEFAULTS.drain;
}

/** `all`, one name, or several comma-separated (run in the order of SCENARIOS). */
export function chooseScenarios(flag: string): Scenario[] {
  if (flag === 'all') return SCENARIOS;
  const names = SCENARIOS.map((s) => s.name);
  const asked = flag.split(',').map((n) => n.trim());
  const unknown = asked.filter((n) => !names.includes(n));
  if (unknown.length > 0 || asked.length === 0)
    throw usageError(
      'BAD_FLAG',
      `unknown scenario "${unknown[0] ?? flag}"`,
      `use --scenario ${[...names, 'all'].join(', ')} (several: invoke,pubsub)`,
    );
  return SCENARIOS.filter((s) => asked.includes(s.name));
}

/** Runs load scenarios against a deployment and records their metrics; `npm run gate` gives the verdict. */
export async function loadCommand(opts: LoadOptions): Promise<number> {
  const target = parseTargetOptions(opts);
  const chosen = chooseScenarios(opts.scenario);
  const settings = loadSettings(opts);
  const capacity = opts.findCapacity ? capacityPlan(opts, chosen, settings) : undefined;
  if (!capacity && opts.maxTime)
    throw usageError('BAD_FLAG', '--max-time bounds --find-capacity only', 'add --find-capacity, or drop --max-time');
  refuseNonLoopbackSidecars(target);
  const results = await withSession(
    { kind: 'load', target, out: opts.out, keepUp: opts.keepUp, criteria: capacity?.criteria.file },
    async (session) => {
      if (!capacity) return runScenariosInSession(session, chosen, settings);
      const record = await findCapacity(
        {
          deployment: session.deployment,
          results: session.results,
          settings: capacity.settings,
          progress: session.progress,
          signal: session.signal,
          save: session.save,
        },
        capacity,
      );
      session.progress.log(formatCapacity(record));
    },
  );
  process.stdout.write(`\n${summary(results)}\n\n${inScopeVerdict(results)}\n`);
  process.stdout.write(
    `Judge it against criteria.yaml with: npm run gate -- --results ${results.runId ? `reports/runs/${results.runId}` : 'reports/latest'}\n`,
  );
  for (const e of results.errors) process.stdout.write(`run error ${e.code}: ${e.message.split('\n')[0]}\n`);
  // A process that died under load makes the figures untrustworthy: the run fails, as the gate does.
  return results.partial || results.errors.length > 0 ? 1 : 0;
}

/**
 * Load goes only to loopback (a port-forward counts): external sidecar URLs are checked before the harness
 * connects to anything, not only when the driver starts.
 */
function refuseNonLoopbackSidecars(target: TargetSpec): void {
  if (target.kind !== 'external') return;
  for (const a of target.external.apps) {
    for (const url of [a.sidecar, a.app].filter((u): u is string => Boolean(u))) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      if (!isLoopbackHost(host))
        throw usageError(
          'LOAD_NON_LOOPBACK_TARGET',
          `${a.appId}: ${url} is not a loopback address; load goes only to 127.0.0.0/8, ::1 or localhost`,
          'reach the deployment through `kubectl port-forward` and give the forwarded 127.0.0.1 URLs',
        );
    }
  }
}

/**
 * The verdict over what a load run measures (criteria only other kinds of run measure left out), so an overloaded
 * run ends with the failing criteria and why — backlog, loss, a driver that could not keep its schedule.
 */
function inScopeVerdict(results: RunResults): string {
  const judged = judgeStep(loadCriteria(DEFAULT_CRITERIA_FILE), results);
  if (judged.met) return 'criteria.yaml (what this run measured): PASS';
  return `criteria.yaml (what this run measured): FAIL\n${judged.broken.map((b) => `  ${b}`).join('\n')}`;
}

function summary(results: RunResults): string {
  const rows = results.metrics
    .filter((m) => m.kind === 'rate' || (m.kind === 'trend' && !m.name.endsWith('_uncorrected')))
    .map((m) => {
      const tags = Object.entries(m.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const value =
        m.kind === 'rate' ? `${((m.rate ?? 0) * 100).toFixed(3)} %` : `p50 ${m.stats?.p50 ?? '-'} · p99 ${m.stats?.p99 ?? '-'} ms`;
      return [m.name, tags, value];
    });
  return `${renderTable(['METRIC', 'SERIES', 'VALUE'], rows)}${results.partial ? '\nPARTIAL run (interrupted)' : ''}`;
}
