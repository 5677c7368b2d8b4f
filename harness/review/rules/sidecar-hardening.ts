import { runFileApps } from '../multi-app-run';
import { annotation, containers, isDaprEnabled, podTemplate, type Resource } from '../resources';
import { headOf, type Hit, type ReviewContext, type Rule } from '../rule';
import { serviceTargets, servicesOf } from '../workload-network';
import type { YamlNode } from '../yaml-node';

const daprWorkloads = (ctx: ReviewContext): Resource[] => ctx.of('Workload').filter(isDaprEnabled);
const containerName = (c: YamlNode): string => c.get('name')?.str() ?? '(unnamed)';

export const sidecarSeccompUnset: Rule = {
  id: 'sidecar-seccomp-unset',
  family: 'sidecar-hardening',
  severity: 'medium',
  title: 'the sidecar runs without a seccomp profile',
  why: "without seccomp the daprd container may use every system call, so a compromise of the sidecar reaches further into the node's kernel",
  fix: 'set dapr.io/sidecar-seccomp-profile-type: RuntimeDefault (or a pod-level securityContext.seccompProfile)',
  check(ctx) {
    return daprWorkloads(ctx).flatMap((w): Hit[] => {
      const profile = annotation(w, 'dapr.io/sidecar-seccomp-profile-type');
      if (profile?.str()?.toLowerCase() === 'unconfined')
        return [{ resource: w, at: profile, severity: 'high', message: `${w.label}: sidecar seccomp profile is Unconfined` }];
      if (profile?.str()) return [];
      const podProfile = podTemplate(w).spec?.at('securityContext', 'seccompProfile', 'type')?.str();
      if (podProfile === 'RuntimeDefault' || podProfile === 'Localhost') return [];
      return [
        {
          resource: w,
          at: annotation(w, 'dapr.io/enabled') ?? headOf(w),
          message: `${w.label}: no dapr.io/sidecar-seccomp-profile-type and no pod seccompProfile`,
        },
      ];
    });
  },
};

export const workloadRunsAsRoot: Rule = {
  id: 'workload-runs-as-root',
  family: 'sidecar-hardening',
  severity: 'high',
  title: 'a container of a Dapr workload runs as root, or may (no runAsNonRoot)',
  why: 'a process running as root turns an app or sidecar compromise into control of the container and a step towards the node',
  fix: 'set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod (it applies to the injected sidecar too)',
  check(ctx) {
    return daprWorkloads(ctx).flatMap((w): Hit[] => {
      const pod = podTemplate(w).spec?.get('securityContext');
      return containers(w).flatMap((c): Hit[] => {
        const own = c.get('securityContext');
        const user = own?.get('runAsUser') ?? pod?.get('runAsUser');
        const nonRoot = own?.get('runAsNonRoot') ?? pod?.get('runAsNonRoot');
        if (user?.num() === 0) return [{ resource: w, at: user, message: `${w.label}: container ${containerName(c)} runs as uid 0` }];
        if (nonRoot?.bool() === false)
          return [{ resource: w, at: nonRoot, message: `${w.label}: container ${containerName(c)} has runAsNonRoot: false` }];
        if (nonRoot?.bool() === true || (user?.num() ?? 0) > 0) return [];
        return [
          {
            resource: w,
            at: c.get('name') ?? c,
            severity: 'medium',
            message: `${w.label}: container ${containerName(c)} sets neither runAsNonRoot nor a runAsUser, so the image decides`,
          },
        ];
      });
    });
  },
};

export const rootFilesystemWritable: Rule = {
  id: 'rootfs-writable',
  family: 'sidecar-hardening',
  severity: 'medium',
  title: 'a container of a Dapr workload has a writable root filesystem',
  why: "a writable root filesystem lets an intruder change the container's binaries and configuration and keep tools there",
  fix: 'set securityContext.readOnlyRootFilesystem: true on the container and mount an emptyDir where it must write',
  check(ctx) {
    return daprWorkloads(ctx).flatMap((w): Hit[] =>
      containers(w).flatMap((c): Hit[] =>
        c.at('securityContext', 'readOnlyRootFilesystem')?.bool() === true
          ? []
          : [
              {
                resource: w,
                at: c.get('name') ?? c,
                message: `${w.label}: container ${containerName(c)} has no readOnlyRootFilesystem: true`,
              },
            ],
      ),
    );
  },
};

export const sidecarDebugEnabled: Rule = {
  id: 'sidecar-debug-enabled',
  family: 'sidecar-hardening',
  severity: 'high',
  title: 'the sidecar runs under the debugger (dapr.io/enable-debug)',
  why: 'daprd then waits for a remote debugger on its debug port; whoever attaches controls the sidecar and reads its memory, secrets included',
  fix: 'remove dapr.io/enable-debug (or set it to "false") outside a developer\'s own cluster',
  check(ctx) {
    return daprWorkloads(ctx).flatMap((w): Hit[] => {
      const a = annotation(w, 'dapr.io/enable-debug');
      return a?.bool() === true ? [{ resource: w, at: a, message: `${w.label}: dapr.io/enable-debug is true` }] : [];
    });
  },
};

export const sidecarDebugLogging: Rule = {
  id: 'sidecar-debug-logging',
  family: 'sidecar-hardening',
  severity: 'medium',
  title: 'the sidecar logs at debug level',
  why: 'debug logs record request details, metadata and component settings that production logs should not carry, and their volume hides what matters',
  fix: 'use dapr.io/log-level: info (logLevel: info in a Multi-App Run file); raise it only while debugging',
  check(ctx) {
    const hits: Hit[] = [];
    for (const w of daprWorkloads(ctx)) {
      const a = annotation(w, 'dapr.io/log-level');
      if (a?.str()?.toLowerCase() === 'debug') hits.push({ resource: w, at: a, message: `${w.label}: dapr.io/log-level is debug` });
    }
    for (const r of ctx.of('MultiAppRun')) {
      for (const app of runFileApps(r)) {
        const level = app.setting('logLevel');
        // A run file is a developer's setup more often than production's.
        if (level?.str()?.toLowerCase() === 'debug')
          hits.push({ resource: r, at: level, severity: 'low', message: `${app.appId}: logLevel is debug` });
      }
    }
    return dedupe(hits);
  },
};

export const sidecarProfilingEnabled: Rule = {
  id: 'sidecar-profiling-enabled',
  family: 'sidecar-hardening',
  severity: 'high',
  title: "the sidecar serves Go's profiler (dapr.io/enable-profiling)",
  why: 'the pprof endpoint has no authentication and hands out heap dumps (which hold tokens and secrets) and CPU profiles to whoever reaches it',
  fix: 'remove dapr.io/enable-profiling (enableProfiling in a Multi-App Run file), or enable it only briefly on a pod no one else can reach',
  check(ctx) {
    const hits: Hit[] = [];
    for (const w of daprWorkloads(ctx)) {
      const a = annotation(w, 'dapr.io/enable-profiling');
      if (a?.bool() === true) hits.push({ resource: w, at: a, message: `${w.label}: dapr.io/enable-profiling is true` });
    }
    for (const r of ctx.of('MultiAppRun')) {
      for (const app of runFileApps(r)) {
        const p = app.setting('enableProfiling');
        if (p?.bool() === true) hits.push({ resource: r, at: p, severity: 'medium', message: `${app.appId}: enableProfiling is true` });
      }
    }
    return dedupe(hits);
  },
};

/** daprd's ports that must not be published: metrics (dapr.io/metrics-port), profiling, debugging. */
function sidecarOnlyPorts(w: Resource): Map<number, string> {
  const ports = new Map<number, string>();
  if (annotation(w, 'dapr.io/enable-metrics')?.bool() !== false) ports.set(annotation(w, 'dapr.io/metrics-port')?.num() ?? 9090, 'metrics');
  if (annotation(w, 'dapr.io/enable-profiling')?.bool() === true) ports.set(7777, 'profiling');
  if (annotation(w, 'dapr.io/enable-debug')?.bool() === true) ports.set(annotation(w, 'dapr.io/debug-port')?.num() ?? 40000, 'debugger');
  return ports;
}

export const sidecarPortExposed: Rule = {
  id: 'sidecar-port-exposed',
  family: 'sidecar-hardening',
  severity: 'medium',
  title: "a Service publishes a sidecar's metrics, profiling or debug port",
  why: 'these ports have no authentication; metrics reveal who calls whom and how often, profiling and debug ports give away memory and control',
  fix: 'remove the port from the Service and let Prometheus scrape the pod directly (prometheus.io annotations or a PodMonitor)',
  check(ctx) {
    const hits: Hit[] = [];
    for (const w of daprWorkloads(ctx)) {
      const forbidden = sidecarOnlyPorts(w);
      for (const svc of servicesOf(ctx, w)) {
        const type = svc.root.at('spec', 'type')?.str() ?? 'ClusterIP';
        const external = type === 'NodePort' || type === 'LoadBalancer';
        for (const t of serviceTargets(svc, w)) {
          const what = (t.port !== undefined ? forbidden.get(t.port) : undefined) ?? (t.name === 'dapr-metrics' ? 'metrics' : undefined);
          if (!what) continue;
          const severity = what !== 'metrics' || external ? 'high' : 'medium';
          hits.push({
            resource: svc,
            at: t.node,
            severity,
            message: `${svc.label} (${type}) publishes the ${what} port ${t.port ?? t.name} of ${w.label}'s sidecar`,
          });
        }
      }
    }
    return hits;
  },
};

/** A setting in a run file's `common:` block is seen once per app; report it once. */
function dedupe(hits: Hit[]): Hit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.resource.file}:${h.at?.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const SIDECAR_HARDENING_RULES = [
  sidecarSeccompUnset,
  workloadRunsAsRoot,
  rootFilesystemWritable,
  sidecarDebugEnabled,
  sidecarDebugLogging,
  sidecarProfilingEnabled,
  sidecarPortExposed,
];
