import { deployK8s, undeployK8s, waitForDeployments } from '../../targets/kubernetes/deploy-k8s';
import { createProgress } from '../../console/progress';

export interface DeployOptions {
  dir: string;
  kubeconfig?: string;
  context?: string;
  dryRun?: boolean;
  force?: boolean;
  /** Wait for the applied Deployments to be Ready (default true; --no-wait). */
  wait?: boolean;
}

/**
 * Applies (server-side) or removes the reference deployment in k8s/; prints what happened to each object and, after
 * an apply, waits for its Deployments to be Ready.
 */
export async function deployK8sCommand(opts: DeployOptions, remove = false): Promise<number> {
  const progress = createProgress();
  const outcomes = await (remove ? undeployK8s : deployK8s)({
    dir: opts.dir,
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    dryRun: opts.dryRun,
    force: opts.force,
    progress,
  });
  progress.log(`${remove ? 'removed' : 'applied'} ${outcomes.length} objects${opts.dryRun ? ' (dry run: nothing stored)' : ''}`);
  if (!remove && !opts.dryRun && opts.wait !== false)
    await waitForDeployments(outcomes, { kubeconfig: opts.kubeconfig, context: opts.context, progress });
  progress.done();
  return 0;
}
