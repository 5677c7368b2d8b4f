import { poll } from '../../harness/process/wait/poll';
import { describeExpectation, expectedInvocation, retryDelaysMs, timeoutMs, type Range } from '../../harness/resiliency';
import type { ChaosResult } from '../../harness/results/results-model';
import type { DependencyControl } from '../../harness/targets/deployment';
import { chaosProbe } from './chaos-probe';
import { http, uniqueId } from './http';
import { TIMING_TOLERANCE_MS } from './invocation-probes';
import { componentPolicy } from './resiliency';
import { sidecarUrl } from './sut';

/** A state store behind one sidecar, and the dependency (its server) the probe may stop and start. */
export interface StateOutageSite {
  sidecar: string;
  store: string;
  dependency: DependencyControl;
}

/** Per-attempt time assumed where no timeout policy bounds an attempt. */
const UNBOUNDED_ATTEMPT_MS = 30_000;

/**
 * How long a save takes to fail while the store is down, from the outbound policy: at least the waits between the
 * attempts the policy makes (so a sidecar that gives up at once fails the probe), at most every attempt running
 * into its timeout plus the longest waits. The breaker may end the retries early; that is part of the policy too.
 */
export function outageFailureWindowMs(policy: ReturnType<typeof componentPolicy>): { window: Range; attempts: Range } {
  const expected = expectedInvocation(policy, { failures: 'persistent' });
  if (expected.calls.max === Infinity)
    throw new Error(
      `${describeExpectation(policy)} retries without limit: a save during an outage never fails (declare maxRetries or a circuit breaker)`,
    );
  const waits = (n: number): number[] => (policy.retry && n > 0 ? retryDelaysMs(policy.retry, n).map((d) => d.minMs) : []);
  const longest =
    policy.retry && expected.calls.max > 1 ? retryDelaysMs(policy.retry, expected.calls.max - 1).reduce((s, d) => s + d.maxMs, 0) : 0;
  const perAttempt = timeoutMs(policy) ?? UNBOUNDED_ATTEMPT_MS;
  return {
    window: { min: waits(expected.calls.min - 1).reduce((s, d) => s + d, 0), max: expected.calls.max * perAttempt + longest },
    attempts: expected.calls,
  };
}

/** Stops the store's server, saves once, and checks when and how the save fails; then the server comes back. */
export function stateOutageProbe(site: StateOutageSite): Promise<ChaosResult> {
  return chaosProbe(
    { probe: 'state store outage', target: `${site.sidecar} → ${site.store} (${site.dependency.kind})` },
    async (record) => {
      const policy = componentPolicy(site.sidecar, site.store, 'outbound');
      record.policy = describeExpectation(policy);
      const { window, attempts } = outageFailureWindowMs(policy);
      record.expected.attempts = attempts.min === attempts.max ? attempts.max : `${attempts.min}..${attempts.max}`;
      const state = `${sidecarUrl(site.sidecar)}/v1.0/state/${site.store}`;
      const key = uniqueId('outage');
      await site.dependency.stop();
      let during: Awaited<ReturnType<typeof http<{ errorCode?: string }>>> | undefined;
      let failedAfter = 0;
      try {
        const started = Date.now();
        during = await http<{ errorCode?: string }>(state, {
          method: 'POST',
          json: [{ key, value: 1 }],
          timeoutMs: Math.ceil(window.max) + 10_000,
        });
        failedAfter = Date.now() - started;
      } finally {
        await site.dependency.start();
      }
      const recoveredAt = Date.now();
      await poll(
        'a state save after the restart',
        async () => ((await http(state, { method: 'POST', json: [{ key, value: 2 }] })).status === 204 ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      record.observe('recoveryMs', Date.now() - recoveredAt);
      await http(`${state}/${key}`, { method: 'DELETE' });
      record.equal('status', '5xx', during.status >= 500 ? '5xx' : during.status);
      record.observe('daprErrorCode', during.body.errorCode ?? 'none');
      record.equal(
        'errorCode',
        'ERR_*',
        /^ERR_/.test(during.body.errorCode ?? '') ? 'ERR_*' : (during.body.errorCode ?? 'none'),
        'Dapr names the failure',
      );
      record.within(
        'failedAfterMs',
        { min: window.min, max: window.max + TIMING_TOLERANCE_MS },
        failedAfter,
        "at least the retries' waits, at most every attempt timing out",
      );
      record.tolerance.failedAfterMs = TIMING_TOLERANCE_MS;
    },
  );
}
