import { runLoad, formatResult, toMetricSamples, toScenarioResult, type DriverResult } from '../driver';
import type { MetricSample } from '../../harness/results/results-model';
import { progressLine, recordCost, withResourceSampling, type Scenario, type ScenarioContext } from './scenario';

const CALLEE = 'sample-app';
const CALLER = 'task-service';

/**
 * Dapr's own performance method for service invocation: the same request straight to the app (baseline) and
 * through two sidecars (caller's → callee's, mTLS between them); the difference is what the sidecars cost.
 */
export const invokeScenario: Scenario = {
  name: 'invoke',
  description: `baseline (straight to ${CALLEE}) vs through Dapr (${CALLER}'s sidecar → ${CALLEE}), sidecar overhead at p50/p90/p99`,
  async run(ctx: ScenarioContext): Promise<void> {
    const { deployment: d, settings: s } = ctx;
    const payload = JSON.stringify({ data: 'x'.repeat(Math.max(0, s.payloadBytes - 12)) });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(d.apiToken ? { 'dapr-api-token': d.apiToken } : {}) };
    const appHeaders: Record<string, string> = {
      'content-type': 'application/json',
      ...(d.appApiToken ? { 'dapr-api-token': d.appApiToken } : {}),
    };
    const run = (name: string, url: string, path: string, withToken = true): Promise<DriverResult> =>
      runLoad({
        allowNonLoopback: ctx.deployment.inClusterSidecars === true,
        url,
        model: { kind: 'open', ratePerSecond: s.ratePerSecond },
        durationMs: s.durationMs,
        warmupMs: s.warmupMs,
        connections: s.connections,
        signal: ctx.signal,
        // The API token is for sidecars only; an app that answers only its sidecar takes the app API token instead.
        request: () => ({ method: 'POST', path, headers: withToken ? headers : appHeaders, body: payload }),
        onProgress: (p) => ctx.progress.update(progressLine(name, p)),
      });
    const calleeApp = d.apps.find((a) => a.appId === CALLEE)?.appUrl;
    let baseline: DriverResult | undefined;
    if (calleeApp) {
      baseline = await run('invoke baseline', calleeApp, '/echo/load', false);
      ctx.progress.log(`invoke baseline (straight to ${CALLEE}):\n${formatResult(baseline)}`);
      ctx.results.metrics.push(...toMetricSamples('invoke.baseline', baseline, { path: 'direct' }));
      ctx.results.scenarios.push(toScenarioResult('invoke-baseline', baseline, { path: `client → ${CALLEE}` }));
      ctx.save();
    } else {
      ctx.progress.log(`invoke baseline skipped: the target does not expose ${CALLEE}'s own address`);
    }
    if (ctx.signal.aborted) return;
    const {
      value: dapr,
      resources,
      cost,
      problem,
    } = await withResourceSampling(
      d,
      () => run('invoke dapr', d.sidecar(CALLER).httpUrl, `/v1.0/invoke/${CALLEE}/method/echo/load`),
      (r) => r.totals.sent + r.warmup.sent,
    );
    ctx.progress.log(`invoke through Dapr (${CALLER}'s sidecar → ${CALLEE}):\n${formatResult(dapr)}`);
    ctx.results.metrics.push(...toMetricSamples('invoke', dapr, { path: 'dapr' }));
    const scenario = toScenarioResult('invoke', dapr, { path: `client → ${CALLER} sidecar → ${CALLEE} sidecar → ${CALLEE}` });
    scenario.resources = resources;
    recordCost(ctx, scenario, cost, problem);
    ctx.results.scenarios.push(scenario);
    if (baseline) ctx.results.metrics.push(...overhead(baseline, dapr));
    ctx.save();
  },
};

function overhead(baseline: DriverResult, dapr: DriverResult): MetricSample[] {
  return (['p50', 'p90', 'p99'] as const).map((p) => ({
    name: 'invoke.sidecar_overhead',
    kind: 'gauge' as const,
    tags: { percentile: p },
    value: Math.round((dapr.latency.corrected[p] - baseline.latency.corrected[p]) * 1000) / 1000,
    unit: 'ms',
  }));
}
