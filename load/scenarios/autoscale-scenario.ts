import type { Scenario, ScenarioContext } from './scenario';

/** Needs an HPA: the Kubernetes target fills it in; elsewhere it says so instead of pretending. */
export const autoscaleScenario: Scenario = {
  name: 'autoscale',
  description: 'drive load while the HPA scales 1→50 and record the replica timeline (Kubernetes only)',
  async run(ctx: ScenarioContext): Promise<void> {
    ctx.results.scenarios.push({
      name: 'autoscale',
      settings: { target: ctx.deployment.target },
      timeline: [],
      notApplicable: `autoscaling needs a HorizontalPodAutoscaler: run with --target kubernetes (the ${ctx.deployment.target} target runs a fixed set of processes)`,
    });
    ctx.progress.log('autoscale: not applicable on this target (needs --target kubernetes)');
    ctx.save();
  },
};
