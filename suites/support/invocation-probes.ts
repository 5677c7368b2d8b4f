import {
  circuitBreakerExpectation,
  describeExpectation,
  expectedCalleeCalls,
  expectedInvocation,
  retryDelaysMs,
  SIDECAR_ERROR_STATUS,
  timeoutMs,
  type EffectivePolicy,
  type InvocationExpectation,
  type Range,
} from '../../harness/resiliency';
import type { ChaosResult } from '../../harness/results/results-model';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { chaosProbe, type ProbeRecord } from './chaos-probe';
import { uniqueId } from './http';
import { appPolicy } from './resiliency';
import { callLogOf, injectFailures, invoke, type CallLog } from './sut';

/**
 * Service-invocation probes: each injects faults into a callee, calls it through the caller's sidecar and compares
 * what the callee saw and the caller got with what the Resiliency model derives from the policy daprd applies.
 * daprd keys an app's circuit breakers by app id + method, so every probe calls a method nobody called before: it
 * starts on a fresh breaker whatever ran earlier.
 */
export interface InvocationSite {
  caller: string;
  callee: string;
  /** A method of the callee that answers GET with `successStatus` and was never called before (a breaker of its own). */
  freshMethod(label: string): Promise<string>;
  successStatus?: number;
}

export const PROBES = {
  transient: 'transient failures',
  persistent: 'persistent failure',
  timeout: 'slow callee cut at the timeout',
  breaker: 'circuit breaker trips, fails fast, recovers',
} as const;

/** Scheduling on a shared machine, not the policy, decides how far a timed call lands from its computed time. */
export const TIMING_TOLERANCE_MS = 1500;
/** Time one failed attempt may take on a shared machine; widens the count an observation window admits. */
export const ATTEMPT_ALLOWANCE_MS = 100;
/** How long a half-open trial call is held by the callee, so that the trials overlap. */
const TRIAL_HOLD_MS = 1000;

function targetOf(site: InvocationSite): string {
  return `${site.caller} → ${site.callee}`;
}

function describeInjected(count: number | 'persistent', status: number): string {
  return `${count === 'persistent' ? 'every call' : `${count} call${count === 1 ? '' : 's'}`} answer ${status}`;
}

/** Enough failures to need retries, few enough to recover under the policy's retries and below its breaker's trip point. */
export function transientFailures(policy: EffectivePolicy): number {
  const retries = policy.retry?.maxRetries ?? 0;
  let failures = retries < 0 ? 2 : Math.max(1, Math.min(2, retries));
  const tripAfter = policy.circuitBreaker ? circuitBreakerExpectation(policy.circuitBreaker).tripAfter : undefined;
  if (tripAfter !== undefined) failures = Math.max(1, Math.min(failures, tripAfter - 1));
  return failures;
}

/** The longest one request may take under the policy: every attempt timing out, every wait at its longest. */
export function worstCaseMs(policy: EffectivePolicy, attempts: number, perAttemptMs = 5000): number {
  const perAttempt = timeoutMs(policy) ?? perAttemptMs;
  if (!Number.isFinite(attempts)) return Infinity;
  const waits = policy.retry ? retryDelaysMs(policy.retry, attempts - 1) : [];
  return attempts * perAttempt + waits.reduce((s, d) => s + d.maxMs, 0);
}

/** The call log once the calls a request made have finished (a cut attempt is logged when the callee lets go of it). */
async function settledCallLog(appId: string, key: string, atLeast: number): Promise<CallLog> {
  let log = await callLogOf(appId, key);
  for (let i = 0; i < 20 && log.count < atLeast; i++) {
    await sleep(100);
    log = await callLogOf(appId, key);
  }
  return log;
}

async function callOnce(
  site: InvocationSite,
  method: string,
  key: string,
  timeout: number,
): Promise<{ status: number | undefined; ms: number }> {
  const started = Date.now();
  try {
    // AbortSignal.timeout takes whole milliseconds; jittered bounds are fractional.
    const res = await invoke(site.caller, site.callee, method, { headers: { 'x-fault-key': key }, timeoutMs: Math.ceil(timeout) });
    return { status: res.status, ms: Date.now() - started };
  } catch (err) {
    // Only the caller's own deadline is an observation; anything else is the probe failing. The HTTP helper wraps
    // the abort in an error naming the call, with the TimeoutError as its cause.
    const e = err as Error & { cause?: { name?: string } };
    if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return { status: undefined, ms: Date.now() - started };
    throw err;
  }
}

function expectOutcome(record: ProbeRecord, expected: InvocationExpectation, observedStatus: number | undefined): void {
  record.equal(
    'callerStatus',
    expected.callerStatus ?? 'no answer',
    observedStatus ?? 'no answer',
    `outcome ${expected.outcome}, limited by ${expected.limitedBy}`,
  );
}

/**
 * The policy the caller's sidecar applies to the callee. None at all is a failure, not a trivially kept promise:
 * these probes exist to check declared resiliency, and a target without any is what a user must fix.
 */
function policyFor(site: InvocationSite, record: ProbeRecord): EffectivePolicy {
  const policy = appPolicy(site.caller, site.callee);
  record.policy = describeExpectation(policy);
  if (policy.source === 'none') {
    throw new Error(
      `no resiliency policy applies to ${targetOf(site)}: a failure reaches the caller untried (declare one under spec.targets.apps.${site.callee}, or a DefaultRetryPolicy)`,
    );
  }
  return policy;
}

/** A few failed calls, then success: calls and final status as the policy's retries, matching and breaker say. */
export function transientProbe(
  site: InvocationSite,
  options: { status?: number; failures?: number; probe?: string } = {},
): Promise<ChaosResult> {
  return chaosProbe({ probe: options.probe ?? PROBES.transient, target: targetOf(site) }, async (record) => {
    const policy = policyFor(site, record);
    const status = options.status ?? 503;
    const failures = options.failures ?? transientFailures(policy);
    const expected = expectedInvocation(policy, {
      failures,
      statusCode: status,
      ...(site.successStatus !== undefined ? { successStatus: site.successStatus } : {}),
    });
    record.expected.injected = describeInjected(failures, status);
    const method = await site.freshMethod('transient');
    const key = uniqueId('transient');
    await injectFailures(site.callee, { key, count: failures, status });
    const res = await callOnce(site, method, key, worstCaseMs(policy, expected.calls.max) + 10_000);
    const log = await settledCallLog(site.callee, key, expected.calls.min);
    record.within('calleeCalls', expected.calls, log.count);
    expectOutcome(record, expected, res.status);
  });
}

/**
 * A callee that always fails. Bounded retries end on the policy's count (or its breaker); unlimited ones are
 * watched for an observation window, inside which the caller must get no answer and the callee the calls the
 * window admits.
 */
export function persistentProbe(
  site: InvocationSite,
  options: { status?: number; windowMs?: number; probe?: string } = {},
): Promise<ChaosResult> {
  return chaosProbe({ probe: options.probe ?? PROBES.persistent, target: targetOf(site) }, async (record) => {
    const policy = policyFor(site, record);
    const status = options.status ?? 503;
    const unbounded = expectedInvocation(policy, { failures: 'persistent', statusCode: status });
    let windowMs: number | undefined;
    let expected = unbounded;
    let calls: Range = unbounded.calls;
    if (unbounded.calls.max === Infinity) {
      const firstWait = policy.retry ? (retryDelaysMs(policy.retry, 1)[0]?.maxMs ?? 0) : 0;
      windowMs = options.windowMs ?? Math.max(3000, 5 * firstWait);
      const fast = expectedInvocation(policy, { failures: 'persistent', statusCode: status, withinMs: windowMs });
      const slow = expectedInvocation(policy, {
        failures: 'persistent',
        statusCode: status,
        withinMs: windowMs,
        attemptMs: ATTEMPT_ALLOWANCE_MS,
      });
      expected = fast;
      calls = { min: slow.calls.min, max: fast.calls.max };
      record.expected.windowMs = windowMs;
      record.tolerance.attemptMs = ATTEMPT_ALLOWANCE_MS;
    }
    record.expected.injected = describeInjected('persistent', status);
    const method = await site.freshMethod('persistent');
    const key = uniqueId('persistent');
    await injectFailures(site.callee, { key, count: 1_000_000, status });
    const res = await callOnce(site, method, key, windowMs ?? worstCaseMs(policy, calls.max) + 10_000);
    // Past the window daprd must stop with the caller; a retry already under way may still land.
    if (windowMs !== undefined) await sleep(300);
    const log = await settledCallLog(site.callee, key, calls.min);
    record.within('calleeCalls', calls, log.count);
    expectOutcome(record, expected, res.status);
    record.observe('elapsedMs', res.ms);
  });
}

/** The first attempt outlasts the per-attempt timeout: it is cut there, and retried if the policy retries. */
export function timeoutProbe(site: InvocationSite, options: { probe?: string } = {}): Promise<ChaosResult> {
  return chaosProbe({ probe: options.probe ?? PROBES.timeout, target: targetOf(site) }, async (record) => {
    const policy = policyFor(site, record);
    const limit = timeoutMs(policy);
    if (limit === undefined)
      throw new Error(`no timeout policy applies to ${targetOf(site)} (declare one under spec.targets.apps.${site.callee}.timeout)`);
    const expected = expectedInvocation(policy, {
      failures: 1,
      timedOut: true,
      ...(site.successStatus !== undefined ? { successStatus: site.successStatus } : {}),
    });
    const wait = expected.calls.max > 1 && policy.retry ? retryDelaysMs(policy.retry, 1)[0] : undefined;
    const elapsed: Range = { min: limit + (wait?.minMs ?? 0), max: limit + (wait?.maxMs ?? 0) + TIMING_TOLERANCE_MS };
    record.expected.injected = `1 call held ${limit + 3000} ms`;
    const method = await site.freshMethod('slow');
    const key = uniqueId('slow');
    await injectFailures(site.callee, { key, count: 1, status: site.successStatus ?? 200, delayMs: limit + 3000 });
    const res = await callOnce(site, method, key, worstCaseMs(policy, expected.calls.max) + 10_000);
    const log = await settledCallLog(site.callee, key, expected.calls.min);
    record.within('calleeCalls', expected.calls, log.count);
    expectOutcome(record, expected, res.status);
    record.within('elapsedMs', elapsed, res.ms, `cut at ${limit} ms${wait ? ' plus the wait before the retry' : ''}`);
    record.tolerance.elapsedMs = TIMING_TOLERANCE_MS;
  });
}

/**
 * From a fresh breaker: failing requests until it opens at the computed point; a call while open fails at once
 * without reaching the callee; after the breaker's timeout, maxRequests + 1 overlapping trial calls of which exactly
 * maxRequests get through, their success closing it again.
 */
export function breakerProbe(site: InvocationSite, options: { status?: number; probe?: string } = {}): Promise<ChaosResult> {
  return chaosProbe({ probe: options.probe ?? PROBES.breaker, target: targetOf(site) }, async (record) => {
    const policy = policyFor(site, record);
    if (!policy.circuitBreaker)
      throw new Error(
        `no circuit breaker applies to ${targetOf(site)} (declare one under spec.targets.apps.${site.callee}.circuitBreaker)`,
      );
    const breaker = circuitBreakerExpectation(policy.circuitBreaker);
    if (breaker.tripAfter === undefined)
      throw new Error(
        `the trip expression of ${policy.circuitBreaker.name} gives no trip point the harness can compute (${breaker.trip.kind})`,
      );
    const status = options.status ?? 503;
    const perRequest = expectedCalleeCalls(policy, { requests: 1, statusCode: status }).attemptsPerRequest.min;
    const requests = (perRequest === Infinity ? 1 : Math.ceil(breaker.tripAfter / perRequest)) + 1;
    const expected = expectedCalleeCalls(policy, { requests, statusCode: status });
    const limit = timeoutMs(policy);
    const hold = limit === undefined ? TRIAL_HOLD_MS : Math.min(TRIAL_HOLD_MS, Math.floor(limit / 2));
    const method = await site.freshMethod('breaker');
    const key = uniqueId('breaker');
    await injectFailures(site.callee, { key, count: 1_000_000, status });
    const perCall = worstCaseMs(policy, perRequest === Infinity ? breaker.tripAfter : perRequest) + 10_000;
    const statuses: Array<number | undefined> = [];
    for (let i = 0; i < requests; i++) statuses.push((await callOnce(site, method, key, perCall)).status);
    record.within(
      'calleeCallsBeforeOpen',
      expected.calls,
      (await callLogOf(site.callee, key)).count,
      `trip: ${policy.circuitBreaker.trip.source}`,
    );
    record.equal('lastRequestStatus', SIDECAR_ERROR_STATUS, statuses.at(-1), 'the request after the trip point fails on the open breaker');
    record.observe('statuses', statuses.map((s) => s ?? 'none').join(','));

    // Open: the callee would now succeed (a new key carries no fault), yet nothing reaches it.
    const whileOpen = await callOnce(site, method, `${key}-open`, perCall);
    record.equal('statusWhileOpen', SIDECAR_ERROR_STATUS, whileOpen.status);
    record.equal('reachedWhileOpen', 0, (await callLogOf(site.callee, `${key}-open`)).count);
    record.observe('failFastMs', whileOpen.ms);

    // Half-open after its timeout: overlapping trials, of which maxRequests get through.
    await sleep(breaker.openMs + 500);
    const trialKey = `${key}-trial`;
    const trials = breaker.halfOpenMaxRequests + 1;
    await injectFailures(site.callee, { key: trialKey, count: trials, status: site.successStatus ?? 200, delayMs: hold });
    const trialStatuses = await Promise.all(Array.from({ length: trials }, () => callOnce(site, method, trialKey, perCall + hold)));
    const trialCalls = (await settledCallLog(site.callee, trialKey, breaker.halfOpenMaxRequests)).count;
    record.expected.openMs = breaker.openMs;
    record.equal('halfOpenTrialCalls', breaker.halfOpenMaxRequests, trialCalls, `maxRequests ${breaker.halfOpenMaxRequests}`);
    record.equal(
      'trialsAnswered',
      breaker.halfOpenMaxRequests,
      trialStatuses.filter((t) => t.status === (site.successStatus ?? 200)).length,
    );
    record.equal(
      'trialsRejected',
      1,
      trialStatuses.filter((t) => t.status === SIDECAR_ERROR_STATUS).length,
      'one trial more than maxRequests fails at once',
    );
    const after = await callOnce(site, method, `${key}-closed`, perCall);
    record.equal(
      'afterTrials',
      site.successStatus ?? 200,
      after.status,
      `closed after ${breaker.closeAfterSuccesses} successful trial${breaker.closeAfterSuccesses === 1 ? '' : 's'}`,
    );
  });
}
