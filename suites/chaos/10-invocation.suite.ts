import { expect } from 'chai';
import { measure, recordChaos } from '../../harness/suites/suite-context';
import { circuitBreakerExpectation, describeExpectation, expectedAttempts, expectedCalleeCalls, formatFinding, timeoutMs, type EffectivePolicy } from '../../harness/resiliency';
import { sleep } from '../../harness/process/wait/wait-strategy';
import { http, uniqueId } from '../support/http';
import { appPolicy, resolvedResiliency } from '../support/resiliency';
import { APPS, appUrlOf, callLogOf, injectFailures, invoke, resetFaults } from '../support/sut';

const CALLER = APPS.sample;
const CALLEE = APPS.tasks;
/** Timing tolerance for "cut at the timeout": scheduling on a shared machine, not the policy, decides it. */
const TIMEOUT_TOLERANCE_MS = 1500;

async function aTask(): Promise<string> {
  const res = await invoke<{ task: { id: string } }>(CALLER, CALLEE, 'tasks', { method: 'POST', json: { title: uniqueId('chaos') } });
  expect(res.status, res.text).to.equal(201);
  return res.body.task.id;
}

function policyOrFail(): EffectivePolicy {
  const policy = appPolicy(CALLER, CALLEE);
  if (!policy.retry) throw new Error(`no retry policy applies to ${CALLER} → ${CALLEE}: a transient failure reaches the caller (declare one under spec.targets.apps.${CALLEE})`);
  return policy;
}

describe('chaos: service invocation under the Resiliency policy', () => {
  let taskId: string;

  before(async () => {
    await resetFaults([CALLEE]);
    taskId = await aTask();
  });

  afterEach(async () => {
    await resetFaults([CALLEE]);
  });

  it('transient failures (fewer than maxRetries) recover; the callee sees exactly failures + 1 calls', async function () {
    const policy = policyOrFail();
    const retry = policy.retry as NonNullable<EffectivePolicy['retry']>;
    const failures = Math.max(1, Math.min(2, retry.maxRetries < 0 ? 2 : retry.maxRetries - 1));
    const expected = expectedAttempts(retry, { failures, statusCode: 503 });
    const key = uniqueId('transient');
    await injectFailures(CALLEE, { key, count: failures, status: 503 });
    const res = await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': key } });
    const log = await callLogOf(CALLEE, key);
    const passed = res.status === 200 && log.count >= expected.min && log.count <= expected.max;
    recordChaos({ probe: 'transient failures recover', target: `${CALLER} → ${CALLEE}`, policy: describeExpectation(policy), expected: { callerStatus: 200, calleeCalls: expected.min }, observed: { callerStatus: res.status, calleeCalls: log.count }, passed });
    measure(this, 'calleeCalls', log.count);
    expect(res.status, `caller status after ${failures} failures`).to.equal(200);
    expect(log.count).to.be.within(expected.min, expected.max);
    expect(log.count).to.equal(failures + 1);
  });

  it('a persistent failure exhausts the retries: the caller gets the error, the callee saw maxRetries + 1 calls', async function () {
    const policy = policyOrFail();
    const expected = expectedAttempts(policy.retry, { failures: 'persistent', statusCode: 503 });
    const key = uniqueId('persistent');
    await injectFailures(CALLEE, { key, count: 1000, status: 503 });
    const res = await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': key } });
    const log = await callLogOf(CALLEE, key);
    const passed = res.status >= 500 && log.count >= expected.min && log.count <= expected.max;
    recordChaos({ probe: 'persistent failure exhausts retries', target: `${CALLER} → ${CALLEE}`, policy: describeExpectation(policy), expected: { callerStatus: '5xx', calleeCalls: expected.max }, observed: { callerStatus: res.status, calleeCalls: log.count }, passed });
    measure(this, 'calleeCalls', log.count);
    expect(res.status).to.be.at.least(500);
    expect(log.count, `calls with ${describeExpectation(policy)}`).to.be.within(expected.min, expected.max);
  });

  it('a callee slower than the policy timeout is cut at the timeout and retried per policy', async function () {
    const policy = policyOrFail();
    const limit = timeoutMs(policy);
    if (limit === undefined) throw new Error(`no timeout policy applies to ${CALLER} → ${CALLEE}`);
    const key = uniqueId('slow');
    // Only the first attempt is slow: the retry after the cut succeeds.
    await injectFailures(CALLEE, { key, count: 1, status: 200, delayMs: limit + 3000 });
    const started = Date.now();
    const res = await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': key }, timeoutMs: limit * 3 + 10_000 });
    const elapsed = Date.now() - started;
    const log = await callLogOf(CALLEE, key);
    const firstDelay = policy.retry?.policy === 'constant' ? policy.retry.durationMs : (policy.retry?.initialIntervalMs ?? 0);
    const expectedElapsed = limit + firstDelay;
    const passed = res.status === 200 && log.count === 2 && Math.abs(elapsed - expectedElapsed) <= TIMEOUT_TOLERANCE_MS + firstDelay;
    recordChaos({
      probe: 'slow callee cut at the timeout and retried',
      target: `${CALLER} → ${CALLEE}`,
      policy: describeExpectation(policy),
      expected: { callerStatus: 200, calleeCalls: 2, elapsedMs: expectedElapsed },
      observed: { callerStatus: res.status, calleeCalls: log.count, elapsedMs: elapsed },
      tolerance: { elapsedMs: TIMEOUT_TOLERANCE_MS + firstDelay },
      passed,
    });
    measure(this, 'elapsedMs', elapsed);
    expect(res.status, res.text).to.equal(200);
    expect(log.count, 'the cut attempt and its retry').to.equal(2);
    expect(elapsed, `cut at ${limit} ms (+ the retry's wait)`).to.be.within(limit, expectedElapsed + TIMEOUT_TOLERANCE_MS + firstDelay);
  });

  it('the circuit breaker trips at the computed point, fails fast while open, half-opens after its timeout and closes on success', async function () {
    this.timeout(120_000);
    const policy = policyOrFail();
    if (!policy.circuitBreaker) throw new Error(`no circuit breaker applies to ${CALLER} → ${CALLEE}`);
    const breaker = circuitBreakerExpectation(policy.circuitBreaker);
    if (breaker.tripAfter === undefined) throw new Error(`the trip expression of ${policy.circuitBreaker.name} gives no trip point the harness can compute`);
    const requests = Math.ceil(breaker.tripAfter / expectedAttempts(policy.retry, { failures: 'persistent', statusCode: 503 }).min) + 1;
    const expected = expectedCalleeCalls(policy, { requests });
    const key = uniqueId('breaker');
    await injectFailures(CALLEE, { key, count: 100_000, status: 503 });
    const statuses: number[] = [];
    for (let i = 0; i < requests; i++) statuses.push((await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': key } })).status);
    const tripped = await callLogOf(CALLEE, key);

    // Open: a call fails at once, without reaching the callee, even though the callee would now succeed.
    await resetFaults([CALLEE]);
    const openStarted = Date.now();
    const whileOpen = await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': `${key}-open` } });
    const openMs = Date.now() - openStarted;
    const reachedWhileOpen = (await callLogOf(CALLEE, `${key}-open`)).count;

    // Half-open after the breaker's timeout: a trial call goes through, and its success closes the breaker.
    await sleep(breaker.openMs + 500);
    const trial = await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': `${key}-trial` } });
    const after = await invoke(CALLER, CALLEE, `tasks/${taskId}`, { headers: { 'x-fault-key': `${key}-closed` } });
    const trialCalls = (await callLogOf(CALLEE, `${key}-trial`)).count;

    const passed = tripped.count >= expected.calls.min && tripped.count <= expected.calls.max && whileOpen.status >= 500 && reachedWhileOpen === 0 && trial.status === 200 && trialCalls === 1 && after.status === 200;
    recordChaos({
      probe: 'circuit breaker trips, fails fast, recovers',
      target: `${CALLER} → ${CALLEE}`,
      policy: describeExpectation(policy),
      expected: { calleeCallsBeforeOpen: breaker.tripAfter, reachedWhileOpen: 0, openMs: breaker.openMs, halfOpenTrialCalls: Math.min(1, breaker.halfOpenMaxRequests), afterTrial: 200 },
      observed: { calleeCallsBeforeOpen: tripped.count, reachedWhileOpen, failFastMs: openMs, halfOpenTrialCalls: trialCalls, afterTrial: after.status },
      passed,
    });
    measure(this, 'callsBeforeOpen', tripped.count);
    measure(this, 'statuses', statuses.join(','));
    expect(tripped.count, `calls before the breaker opened (trip: ${policy.circuitBreaker.trip.source ?? ''})`).to.be.within(expected.calls.min, expected.calls.max);
    expect(whileOpen.status, 'while open, the caller gets an error').to.be.at.least(500);
    expect(reachedWhileOpen, 'while open, no call reaches the callee').to.equal(0);
    expect(trial.status, 'the half-open trial call').to.equal(200);
    expect(trialCalls).to.equal(1);
    expect(after.status, 'closed again after a successful trial').to.equal(200);
  });

  it('every declared policy applies to something: no target names a missing app or component', function () {
    const d = resolvedFindings();
    measure(this, 'findings', d.length);
    recordChaos({ probe: 'policies apply to the deployment', target: 'Resiliency', expected: { findings: 0 }, observed: { findings: d.length }, passed: d.length === 0, ...(d.length ? { note: d.join('; ') } : {}) });
    expect(d, 'Resiliency findings').to.deep.equal([]);
  });
});

/** Findings that mean a declared policy does not apply as written (info-level notes are left to the report). */
function resolvedFindings(): string[] {
  return resolvedResiliency().findings.filter((f) => f.severity !== 'info').map(formatFinding);
}

// Keep the app reachable for the next suite even if a probe failed half-way.
after(async () => {
  const url = appUrlOf(CALLEE);
  if (url) await http(`${url}/faults`, { method: 'DELETE' });
});
