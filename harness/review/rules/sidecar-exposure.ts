import { isWildcardAddress, loopbackOnly } from '../listen-address';
import { runFileApps } from '../multi-app-run';
import { annotation, containers, isDaprEnabled, type Resource } from '../resources';
import { headOf, type Hit, type ReviewContext, type Rule } from '../rule';
import { confinedByNetworkPolicy, hasApiToken, hasAppToken, resolvePort, serviceTargets, servicesOf } from '../workload-network';
import type { YamlNode } from '../yaml-node';

/** The injector's default for dapr.io/sidecar-listen-addresses. */
const INJECTOR_LISTEN_DEFAULT = '[::1],127.0.0.1';
/** Environment variables that commonly set an app's bind address. */
const BIND_VARIABLE = /(^|_)(HOST|ADDR|ADDRESS|BIND|LISTEN)(_|$)/i;

const daprWorkloads = (ctx: ReviewContext): Resource[] => ctx.of('Workload').filter(isDaprEnabled);
const enabledLine = (w: Resource): YamlNode => annotation(w, 'dapr.io/enabled') ?? headOf(w);

export const apiTokenMissing: Rule = {
  id: 'api-token-missing',
  family: 'sidecar-exposure',
  severity: 'medium',
  title: "a sidecar's Dapr API takes calls without an API token",
  why: "any process that reaches the sidecar can use the app's identity: read its state and secrets, publish as it, invoke other apps as it",
  fix: 'set dapr.io/api-token-secret to a Secret holding a random token (the app then sends it as dapr-api-token)',
  check(ctx) {
    return daprWorkloads(ctx).flatMap((w): Hit[] => {
      if (hasApiToken(w) || !loopbackOnly(annotation(w, 'dapr.io/sidecar-listen-addresses')?.str() ?? INJECTOR_LISTEN_DEFAULT)) return [];
      return [{ resource: w, at: enabledLine(w), message: `${w.label}: no dapr.io/api-token-secret` }];
    });
  },
};

export const sidecarListenAllWithoutToken: Rule = {
  id: 'sidecar-listen-all-without-token',
  family: 'sidecar-exposure',
  severity: 'critical',
  title: "a sidecar's Dapr API listens beyond loopback without an API token",
  why: 'everything that can reach the pod (or the machine) can then call the Dapr API as this app: state, secrets, pub/sub, service invocation with its mTLS identity',
  fix: 'keep the listen addresses on loopback (the injector default `[::1],127.0.0.1`; apiListenAddresses: 127.0.0.1 in a Multi-App Run file), or require a token (dapr.io/api-token-secret; DAPR_API_TOKEN)',
  check(ctx) {
    const hits: Hit[] = [];
    for (const w of daprWorkloads(ctx)) {
      const listen = annotation(w, 'dapr.io/sidecar-listen-addresses');
      if (!hasApiToken(w) && !loopbackOnly(listen?.str() ?? INJECTOR_LISTEN_DEFAULT)) {
        hits.push({
          resource: w,
          at: listen,
          message: `${w.label}: sidecar listens on ${listen?.str()} and no dapr.io/api-token-secret is set`,
        });
      }
    }
    for (const r of ctx.of('MultiAppRun')) {
      for (const app of runFileApps(r)) {
        const listen = app.setting('apiListenAddresses');
        if (loopbackOnly(listen?.str()) || app.env().has('DAPR_API_TOKEN')) continue;
        // The token may still come from the shell that runs `dapr run -f`, which the file cannot show.
        hits.push({
          resource: r,
          at: listen ?? app.node.get('appID') ?? app.node,
          severity: 'high',
          message: `${app.appId}: daprd listens on ${listen?.str() ? listen.str() : "every interface (daprd's default without apiListenAddresses)"} and the file sets no DAPR_API_TOKEN`,
        });
      }
    }
    return hits;
  },
};

export const appTokenMissing: Rule = {
  id: 'app-token-missing',
  family: 'sidecar-exposure',
  severity: 'medium',
  title: 'the sidecar sends no app API token, so the app cannot tell its sidecar from other callers',
  why: "with dapr.io/app-token-secret daprd presents a token on every call to the app; without it the app has no way to refuse calls that did not pass Dapr's access control",
  fix: 'set dapr.io/app-token-secret and have the app reject requests whose dapr-api-token header does not match APP_API_TOKEN',
  check(ctx) {
    return daprWorkloads(ctx).flatMap((w): Hit[] => {
      if (hasAppToken(w) || !annotation(w, 'dapr.io/app-port')?.str()) return [];
      return [{ resource: w, at: enabledLine(w), message: `${w.label}: no dapr.io/app-token-secret` }];
    });
  },
};

/** What shows that the app listens on the pod's address, not only on loopback where its sidecar calls it. */
function reachableEvidence(ctx: ReviewContext, w: Resource, appPort: number): string[] {
  const evidence: string[] = [];
  for (const c of containers(w)) {
    for (const e of c.get('env')?.items() ?? []) {
      const name = e.get('name')?.str() ?? '';
      if (BIND_VARIABLE.test(name) && isWildcardAddress(e.get('value')?.str())) evidence.push(`${name}=${e.get('value')?.str()}`);
    }
    const probes = ['startupProbe', 'readinessProbe', 'livenessProbe'].filter((probe) => {
      const p = c.get(probe);
      const port = p?.at('httpGet', 'port') ?? p?.at('tcpSocket', 'port') ?? p?.at('grpc', 'port');
      return port !== undefined && resolvePort(w, port) === appPort;
    });
    if (probes.length > 0) evidence.push(`${probes.join(', ')} on it (the kubelet connects to the pod address)`);
  }
  for (const svc of servicesOf(ctx, w)) {
    if (serviceTargets(svc, w).some((t) => t.port === appPort)) evidence.push(`Service ${svc.name} sends traffic to the app port`);
  }
  return [...new Set(evidence)];
}

export const appReachableAroundSidecar: Rule = {
  id: 'app-reachable-around-sidecar',
  family: 'sidecar-exposure',
  severity: 'high',
  title: 'the app listens on the pod address with no app token and no NetworkPolicy, so callers can bypass its sidecar',
  why: "a caller that connects to the app directly skips Dapr's mTLS identity check and access-control policies altogether",
  fix: 'bind the app to 127.0.0.1, or require the app API token (dapr.io/app-token-secret), or add a NetworkPolicy that admits only the callers that must reach the app port',
  check(ctx) {
    const hits: Hit[] = [];
    for (const w of daprWorkloads(ctx)) {
      const portNode = annotation(w, 'dapr.io/app-port');
      const appPort = portNode?.num();
      if (appPort === undefined || hasAppToken(w) || confinedByNetworkPolicy(ctx, w, appPort)) continue;
      const evidence = reachableEvidence(ctx, w, appPort);
      if (evidence.length > 0)
        hits.push({
          resource: w,
          at: portNode,
          message: `${w.label}: app port ${appPort} is reachable from the network (${evidence.join('; ')})`,
        });
    }
    for (const r of ctx.of('MultiAppRun')) {
      for (const app of runFileApps(r)) {
        const env = app.env();
        if (env.has('APP_API_TOKEN')) continue;
        for (const [name, node] of env) {
          if (BIND_VARIABLE.test(name) && isWildcardAddress(node.str())) {
            hits.push({
              resource: r,
              at: node,
              message: `${app.appId}: ${name}=${node.str()} makes the app listen on every interface, and no APP_API_TOKEN is set`,
            });
          }
        }
      }
    }
    return hits;
  },
};

export const SIDECAR_EXPOSURE_RULES = [apiTokenMissing, sidecarListenAllWithoutToken, appTokenMissing, appReachableAroundSidecar];
