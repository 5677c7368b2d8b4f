import { runLoad, toMetricSamples, type DriverResult } from '../driver';
import { runKubernetesAutoscale, type AutoscaleLoad, type AutoscaleLoadOutcome } from './autoscale-kubernetes';
import { progressLine, type Scenario, type ScenarioContext } from './scenario';

const HPA = 'sample-app';
/**
 * The caller whose sidecar sends the load: a sidecar invoking its own app id stays in its own pod, so load through
 * sample-app's sidecar would land on one pod; from audit-service's (which has no HPA, and which the access policy
 * lets call /echo) Dapr's name resolution spreads the calls over sample-app's pods, as real callers would.
 */
const CALLER = 'audit-service';

/**
 * Drives invoke load at sample-app while watching its HorizontalPodAutoscaler scale the Deployment, and
 * records the replica timeline. Needs an HPA: on other targets it says so instead of pretending.
 */
export const autoscaleScenario: Scenario = {
  name: 'autoscale',
  description: `drive load while the HPA of ${HPA} scales toward its maxReplicas and record the replica timeline (Kubernetes only)`,
  async run(ctx: ScenarioContext): Promise<void> {
    const autoscaling = ctx.deployment.autoscaling;
    if (!autoscaling) {
      ctx.results.scenarios.push({
        name: 'autoscale',
        settings: { target: ctx.deployment.target },
        timeline: [],
        notApplicable: `autoscaling needs a HorizontalPodAutoscaler: run with --target kubernetes (the ${ctx.deployment.target} target runs a fixed set of processes)`,
      });
      ctx.progress.log('autoscale: not applicable on this target (needs --target kubernetes)');
      ctx.save();
      return;
    }
    const d = ctx.deployment;
    const s = ctx.settings;
    const stop = new AbortController();
    let running: Promise<DriverResult> | undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(d.apiToken ? { 'dapr-api-token': d.apiToken } : {}) };
    const body = JSON.stringify({ data: 'x'.repeat(Math.max(0, s.payloadBytes - 12)) });
    const load: AutoscaleLoad = {
      description: `invoke of ${HPA} at ${s.ratePerSecond}/s through ${CALLER}'s sidecar`,
      start: async () => {
        running = runLoad({
          allowNonLoopback: ctx.deployment.inClusterSidecars === true,
          url: d.sidecar(CALLER).httpUrl,
          model: { kind: 'open', ratePerSecond: s.ratePerSecond },
          durationMs: s.autoscaleMs,
          connections: s.connections,
          signal: AbortSignal.any([stop.signal, ctx.signal]),
          onProgress: (p) => ctx.progress.update(progressLine('autoscale load', p)),
          request: () => ({ method: 'POST', path: `/v1.0/invoke/${HPA}/method/echo/load`, headers, body }),
        });
      },
      // The driver is stopped on purpose once the target is reached (stopReason "aborted" is expected then); what
      // it measured until then — and a failure, if it failed — goes into the results.
      stop: async (): Promise<AutoscaleLoadOutcome | undefined> => {
        stop.abort();
        if (!running) return undefined;
        try {
          const driven = await running;
          const t = driven.totals;
          return {
            metrics: toMetricSamples('autoscale.load', driven),
            settings: { stopReason: driven.stopReason, sent: t.sent, achievedRatePerSecond: driven.achievedRatePerSecond },
            // Load that never reached the app cannot have moved its CPU: the replica figures would say nothing.
            ...(t.completed > 0 && t.ok === 0
              ? {
                  error: `none of its ${t.completed} answered requests succeeded (${Object.entries(t.errorsByKind)
                    .map(([kind, n]) => `${kind}: ${n}`)
                    .join(', ')}; an http_401 means the sidecar wants another DAPR_API_TOKEN)`,
                }
              : {}),
          };
        } catch (err) {
          return { metrics: [], settings: {}, error: err instanceof Error ? err.message : String(err) };
        }
      },
    };
    const result = await runKubernetesAutoscale({
      autoscaling,
      hpa: HPA,
      load,
      loadMs: s.autoscaleMs,
      scaleBackMs: s.scaleBackMs,
      progress: ctx.progress,
      signal: ctx.signal,
    });
    ctx.results.metrics.push(...result.metrics);
    ctx.results.scenarios.push(result.scenario);
    ctx.save();
    // Recorded above; a load that never ran makes the replica figures meaningless, so the run must not look whole.
    if (result.load?.error !== undefined)
      throw new Error(
        `the autoscale load through ${CALLER}'s sidecar failed: ${result.load.error} · the replica timeline is recorded but does not show the HPA under the asked load`,
      );
  },
};
