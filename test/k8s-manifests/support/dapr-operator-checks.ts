import { parseQuantity } from './quantity';
import { isObject, objectName, type Manifest } from './manifest';

/** What the checks compare the manifests with. */
export interface OperatorContext {
  /** Services the image can run (system-under-test/services/<name>/main.ts). */
  knownServices: string[];
  /** Pod annotations Dapr's injector reads. */
  injectorAnnotations: Set<string>;
}

/** Annotations every Dapr-enabled pod of the reference deployment sets (docs/kubernetes-deployment.md says why). */
export const REQUIRED_DAPR_ANNOTATIONS = [
  'dapr.io/enabled',
  'dapr.io/app-id',
  'dapr.io/app-port',
  'dapr.io/config',
  'dapr.io/log-as-json',
  'dapr.io/enable-metrics',
  'dapr.io/metrics-port',
  'dapr.io/sidecar-cpu-request',
  'dapr.io/sidecar-cpu-limit',
  'dapr.io/sidecar-memory-request',
  'dapr.io/sidecar-memory-limit',
];

export const HPA_MIN_REPLICAS = 1;
export const HPA_MAX_REPLICAS = 50;

interface Container {
  name?: string;
  image?: string;
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort?: number }[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
}

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { containers?: Container[]; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } };
}

/**
 * What a Dapr operator checks before applying the manifests: that every sidecar gets an identity the code
 * knows, reaches its app on the port the app listens on, runs with a Configuration that exists and with
 * resources set; that every container can be scheduled, probed and autoscaled; and that the autoscalers point
 * at Deployments that exist. Returns one line per problem, empty when there is none.
 */
export function daprOperatorChecks(manifests: Manifest[], ctx: OperatorContext): string[] {
  const issues: string[] = [];
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const configurations = manifests.filter((m) => m.kind === 'Configuration' && m.apiVersion.startsWith('dapr.io/'));
  const appIds = new Map<string, string>();

  for (const d of deployments) {
    const where = objectName(d);
    const template = podTemplate(d);
    const containers = template.spec?.containers ?? [];
    for (const c of containers)
      issues.push(
        ...containerChecks(c, `${where} container ${c.name ?? '?'}`),
        ...appContainerChecks(c, `${where} container ${c.name ?? '?'}`),
      );
    issues.push(...podSecurityChecks(template, where));

    const annotations = template.metadata?.annotations ?? {};
    for (const key of Object.keys(annotations)) {
      if (key.startsWith('dapr.io/') && !ctx.injectorAnnotations.has(key))
        issues.push(`${where}: annotation ${key} is not one Dapr's injector reads (misspelt?)`);
    }
    if (annotations['dapr.io/enabled'] !== 'true') continue;

    for (const key of REQUIRED_DAPR_ANNOTATIONS) {
      if (annotations[key] === undefined) issues.push(`${where}: Dapr-enabled pod template lacks annotation ${key}`);
    }
    const appId = annotations['dapr.io/app-id'];
    if (appId !== undefined) {
      if (!ctx.knownServices.includes(appId))
        issues.push(`${where}: dapr.io/app-id ${appId} is not a known service (${ctx.knownServices.join(', ')})`);
      const other = appIds.get(appId);
      if (other) issues.push(`${where}: dapr.io/app-id ${appId} is also used by ${other}; each app needs its own identity`);
      appIds.set(appId, where);
    }

    const app = containers.find((c) => envOf(c, 'SERVICE') !== undefined) ?? containers[0];
    if (!app) continue;
    if (appId !== undefined && envOf(app, 'SERVICE') !== appId) {
      issues.push(`${where}: container ${app.name} runs SERVICE=${envOf(app, 'SERVICE') ?? '(unset)'} but its sidecar is app-id ${appId}`);
    }
    const appPort = annotations['dapr.io/app-port'];
    const containerPorts = (app.ports ?? []).map((p) => p.containerPort);
    if (appPort !== undefined && !containerPorts.includes(Number(appPort))) {
      issues.push(`${where}: dapr.io/app-port ${appPort} is not a port of container ${app.name} (${containerPorts.join(', ') || 'none'})`);
    }
    if (appPort !== undefined && envOf(app, 'APP_PORT') !== appPort) {
      issues.push(`${where}: dapr.io/app-port ${appPort} but the app listens on APP_PORT=${envOf(app, 'APP_PORT') ?? '(unset)'}`);
    }
    const metricsPort = annotations['dapr.io/metrics-port'];
    if (metricsPort !== undefined && containers.some((c) => (c.ports ?? []).some((p) => p.containerPort === Number(metricsPort)))) {
      issues.push(`${where}: dapr.io/metrics-port ${metricsPort} collides with a container port of the pod`);
    }
    const scrapePort = annotations['prometheus.io/port'];
    if (scrapePort !== undefined && scrapePort !== metricsPort)
      issues.push(`${where}: prometheus.io/port ${scrapePort} is not the sidecar's dapr.io/metrics-port ${metricsPort ?? '(unset)'}`);
    const config = annotations['dapr.io/config'];
    if (config !== undefined && !configurations.some((c) => c.metadata.name === config && c.metadata.namespace === d.metadata.namespace)) {
      issues.push(
        `${where}: dapr.io/config names Configuration ${config}, which is not among the rendered resources of namespace ${d.metadata.namespace ?? '(none)'}`,
      );
    }
    issues.push(
      ...requestWithinLimit(annotations['dapr.io/sidecar-cpu-request'], annotations['dapr.io/sidecar-cpu-limit'], `${where}: sidecar cpu`),
    );
    issues.push(
      ...requestWithinLimit(
        annotations['dapr.io/sidecar-memory-request'],
        annotations['dapr.io/sidecar-memory-limit'],
        `${where}: sidecar memory`,
      ),
    );
  }

  for (const service of ctx.knownServices) {
    if (!appIds.has(service)) issues.push(`service ${service} has no Dapr-enabled Deployment`);
  }
  const services = deployments.filter((d) => podTemplate(d).metadata?.annotations?.['dapr.io/enabled'] === 'true');
  const images = new Set(services.flatMap((d) => (podTemplate(d).spec?.containers ?? []).map((c) => c.image)));
  if (images.size > 1)
    issues.push(`the services run different images (${[...images].join(', ')}); they share one image selected by SERVICE`);

  for (const job of manifests.filter((m) => m.kind === 'Job')) {
    const template = podTemplate(job);
    for (const c of template.spec?.containers ?? []) issues.push(...containerChecks(c, `${objectName(job)} container ${c.name ?? '?'}`));
    issues.push(...podSecurityChecks(template, objectName(job)));
  }
  issues.push(...autoscalerChecks(manifests, deployments));
  issues.push(...serviceChecks(manifests, deployments));
  return issues;
}

function containerChecks(c: Container, where: string): string[] {
  const issues: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      const value = c.resources?.[kind]?.[resource];
      if (value === undefined) issues.push(`${where}: no ${resource} ${kind}`);
      else if (parseQuantity(value) === undefined) issues.push(`${where}: ${resource} ${kind} ${String(value)} is not a quantity`);
    }
  }
  for (const resource of ['cpu', 'memory']) {
    issues.push(...requestWithinLimit(c.resources?.requests?.[resource], c.resources?.limits?.[resource], `${where}: ${resource}`));
  }
  if (c.securityContext?.allowPrivilegeEscalation !== false) issues.push(`${where}: securityContext.allowPrivilegeEscalation is not false`);
  if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL'))
    issues.push(`${where}: securityContext does not drop ALL capabilities`);
  if (c.image === undefined || /:latest$/.test(c.image) || !/:[^/]+$/.test(c.image))
    issues.push(`${where}: image ${String(c.image)} has no fixed tag`);
  return issues;
}

/** What a long-running service container needs besides resources: probes the kubelet can run, production mode. */
function appContainerChecks(c: Container, where: string): string[] {
  const issues: string[] = [];
  for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
    const p = c[probe];
    if (!p) {
      issues.push(`${where}: no ${probe}`);
      continue;
    }
    if (p.httpGet?.path !== '/healthz') issues.push(`${where}: ${probe} does not GET /healthz`);
    const port = p.httpGet?.port;
    const declared = (c.ports ?? []).some((cp) => cp.name === port || cp.containerPort === port);
    if (!declared) issues.push(`${where}: ${probe} port ${String(port)} is not a port of the container`);
  }
  if (envOf(c, 'NODE_ENV') !== 'production') issues.push(`${where}: NODE_ENV is not production`);
  return issues;
}

function podSecurityChecks(template: PodTemplate, where: string): string[] {
  const pod = template.spec?.securityContext;
  const issues: string[] = [];
  if (pod?.runAsNonRoot !== true) issues.push(`${where}: pod securityContext.runAsNonRoot is not true`);
  if (pod?.runAsUser === 0) issues.push(`${where}: pod runs as uid 0`);
  return issues;
}

function autoscalerChecks(manifests: Manifest[], deployments: Manifest[]): string[] {
  const issues: string[] = [];
  for (const hpa of manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler')) {
    const where = objectName(hpa);
    const spec = (isObject(hpa.spec) ? hpa.spec : {}) as {
      scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
      minReplicas?: number;
      maxReplicas?: number;
    };
    const ref = spec.scaleTargetRef;
    const target = deployments.find(
      (d) =>
        ref?.kind === 'Deployment' &&
        ref.apiVersion === 'apps/v1' &&
        d.metadata.name === ref.name &&
        d.metadata.namespace === hpa.metadata.namespace,
    );
    if (!target) {
      issues.push(
        `${where}: scaleTargetRef ${ref?.apiVersion ?? '?'} ${ref?.kind ?? '?'}/${ref?.name ?? '?'} is not a rendered Deployment of namespace ${hpa.metadata.namespace ?? '(none)'}`,
      );
      continue;
    }
    if (spec.minReplicas !== HPA_MIN_REPLICAS)
      issues.push(`${where}: minReplicas is ${String(spec.minReplicas)}, expected ${HPA_MIN_REPLICAS}`);
    if (spec.maxReplicas !== HPA_MAX_REPLICAS)
      issues.push(`${where}: maxReplicas is ${String(spec.maxReplicas)}, expected ${HPA_MAX_REPLICAS}`);
    if (isObject(target.spec) && target.spec.replicas !== undefined) {
      issues.push(`${where}: ${objectName(target)} sets spec.replicas, so every apply resets the autoscaler's choice; leave it out`);
    }
    // CPU utilization is relative to the pod's requests: a container without one, the sidecar included, leaves
    // the HPA unable to compute it ("missing request for cpu").
    const template = podTemplate(target);
    for (const c of template.spec?.containers ?? []) {
      if (c.resources?.requests?.cpu === undefined)
        issues.push(`${where}: container ${c.name} of ${objectName(target)} has no cpu request`);
    }
    const annotations = template.metadata?.annotations ?? {};
    if (annotations['dapr.io/enabled'] === 'true' && annotations['dapr.io/sidecar-cpu-request'] === undefined) {
      issues.push(`${where}: the Dapr sidecar of ${objectName(target)} has no cpu request (dapr.io/sidecar-cpu-request)`);
    }
  }
  return issues;
}

function serviceChecks(manifests: Manifest[], deployments: Manifest[]): string[] {
  const issues: string[] = [];
  for (const svc of manifests.filter((m) => m.kind === 'Service')) {
    const where = objectName(svc);
    const spec = (isObject(svc.spec) ? svc.spec : {}) as {
      selector?: Record<string, string>;
      ports?: { targetPort?: string | number; port?: number }[];
    };
    const selector = Object.entries(spec.selector ?? {});
    const backends = deployments.filter((d) => {
      const labels = podTemplate(d).metadata?.labels ?? {};
      return d.metadata.namespace === svc.metadata.namespace && selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
    });
    if (backends.length === 0) {
      issues.push(`${where}: selector ${JSON.stringify(spec.selector ?? {})} matches no Deployment's pods`);
      continue;
    }
    for (const port of spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const d of backends) {
        const declared = (podTemplate(d).spec?.containers ?? []).some((c) =>
          (c.ports ?? []).some((p) => p.name === target || p.containerPort === target),
        );
        if (!declared) issues.push(`${where}: targetPort ${String(target)} is not a container port of ${objectName(d)}`);
      }
    }
  }
  return issues;
}

function requestWithinLimit(request: unknown, limit: unknown, what: string): string[] {
  if (request === undefined || limit === undefined) return [];
  const r = parseQuantity(request);
  const l = parseQuantity(limit);
  if (r === undefined || l === undefined) return [`${what}: ${String(r === undefined ? request : limit)} is not a quantity`];
  return r > l ? [`${what}: request ${String(request)} exceeds limit ${String(limit)}`] : [];
}

function podTemplate(d: Manifest): PodTemplate {
  return (isObject(d.spec) && isObject(d.spec.template) ? d.spec.template : {}) as PodTemplate;
}

function envOf(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}
