import { runLoad, formatResult, toMetricSamples, toScenarioResult, type DriverRequest } from '../driver';
import { progressLine, recordCost, withResourceSampling, type Scenario, type ScenarioContext } from './scenario';

const APP = 'preferences-service';
const STORE = 'statestore';
/** Share of the rate per operation. */
const MIX = { save: 0.4, get: 0.4, delete: 0.2 } as const;
const KEYS = 1000;

/** A save/get/delete mix on the state API at the asked total rate, measured per operation. */
export const stateScenario: Scenario = {
  name: 'state',
  description: `save/get/delete mix (${MIX.save * 100}/${MIX.get * 100}/${MIX.delete * 100} %) through ${APP}'s sidecar`,
  async run(ctx: ScenarioContext): Promise<void> {
    const { deployment: d, settings: s } = ctx;
    const base = d.sidecar(APP).httpUrl;
    const auth: Record<string, string> = d.apiToken ? { 'dapr-api-token': d.apiToken } : {};
    const value = 'v'.repeat(Math.max(1, s.payloadBytes - 32));
    const prefix = `load-${ctx.results.runId}`;
    const ops = Object.entries(MIX).map(([op, share]) => ({ op, share }));
    const {
      value: results,
      resources,
      cost,
      problem,
    } = await withResourceSampling(
      d,
      () =>
        Promise.all(
          ops.map(({ op, share }) =>
            runLoad({
              allowNonLoopback: ctx.deployment.inClusterSidecars === true,
              url: base,
              model: { kind: 'open', ratePerSecond: Math.max(1, s.ratePerSecond * share) },
              durationMs: s.durationMs,
              warmupMs: s.warmupMs,
              connections: Math.max(1, Math.round(s.connections * share)),
              signal: ctx.signal,
              onProgress: (p) => ctx.progress.update(progressLine(`state ${op}`, p)),
              request: (i): DriverRequest => {
                const key = `${prefix}-${i % KEYS}`;
                if (op === 'save')
                  return {
                    method: 'POST',
                    path: `/v1.0/state/${STORE}`,
                    headers: { 'content-type': 'application/json', ...auth },
                    body: JSON.stringify([{ key, value }]),
                  };
                if (op === 'get') return { method: 'GET', path: `/v1.0/state/${STORE}/${key}`, headers: auth };
                return { method: 'DELETE', path: `/v1.0/state/${STORE}/${key}`, headers: auth };
              },
            }).then((result) => ({ op, result })),
          ),
        ),
      (all) => all.reduce((n, { result }) => n + result.totals.sent + result.warmup.sent, 0),
    );
    let ok = 0;
    let total = 0;
    for (const { op, result } of results) {
      ctx.progress.log(`state ${op}:\n${formatResult(result)}`);
      ctx.results.metrics.push(...toMetricSamples('state', result, { operation: op }));
      const scenario = toScenarioResult(`state-${op}`, result, { operation: op });
      if (op === 'save') {
        scenario.resources = resources;
        recordCost(ctx, { ...scenario, name: 'state' }, cost, problem);
        if (cost) scenario.cost = cost;
      }
      ctx.results.scenarios.push(scenario);
      ok += result.totals.ok;
      total += result.totals.ok + result.totals.errors + result.totals.dropped + result.totals.unfinished;
    }
    ctx.results.metrics.push({
      name: 'state.overall_success_rate',
      kind: 'rate',
      tags: {},
      rate: total ? ok / total : 0,
      passes: ok,
      fails: total - ok,
    });
    ctx.save();
  },
};
