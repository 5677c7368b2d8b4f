import type { AuditLog } from '../audit/audit-log';
import type { Deployment, DependencyControl, InstanceReplacement } from '../targets/deployment';

/**
 * Every stop and start the harness does to a deployment goes into the run's audit.log, whatever the target: a
 * Redis stopped on this machine and a NATS StatefulSet scaled to zero in a cluster alike. Applied once by the
 * session, so no target has to remember it.
 */
export function auditControls(d: Deployment, audit: AuditLog): void {
  d.dependencies = d.dependencies.map((c) => audited(c, audit, c.kind));
  if (d.processControls) d.processControls = d.processControls.map((c) => audited(c, audit, c.kind));
  if (d.instanceReplacements) d.instanceReplacements = d.instanceReplacements.map((r) => auditedReplacement(r, audit));
}

function auditedReplacement(r: InstanceReplacement, audit: AuditLog): InstanceReplacement {
  return {
    appId: r.appId,
    how: r.how,
    end: () => audit.around('instance.end', r.appId, () => r.end()),
    replace: () => audit.around('instance.replace', r.appId, () => r.replace()),
  };
}

function audited(c: DependencyControl, audit: AuditLog, kind: string): DependencyControl {
  return {
    name: c.name,
    kind: c.kind,
    address: c.address,
    ...(c.components ? { components: c.components } : {}),
    ...(c.monitorUrl ? { monitorUrl: c.monitorUrl } : {}),
    get running() {
      return c.running;
    },
    ...(c.isRunning ? { isRunning: () => c.isRunning?.() ?? Promise.resolve(c.running !== false) } : {}),
    ...(c.restartsByItself ? { restartsByItself: true } : {}),
    stop: () => audit.around(`${kind}.stop`, c.name, () => c.stop(), c.address),
    start: () => audit.around(`${kind}.start`, c.name, () => c.start(), c.address),
  };
}
