import type { Resource } from '../resources';
import { headOf, type Hit, type Rule } from '../rule';

/** The Dapr chart's control-plane services and where each keeps runAsNonRoot. */
const CONTROL_PLANE: Array<{ section: string; nonRoot: string[][] }> = [
  { section: 'dapr_operator', nonRoot: [['runAsNonRoot']] },
  { section: 'dapr_sentry', nonRoot: [['runAsNonRoot']] },
  { section: 'dapr_placement', nonRoot: [['runAsNonRoot']] },
  { section: 'dapr_sidecar_injector', nonRoot: [['runAsNonRoot'], ['sidecarRunAsNonRoot']] },
  { section: 'dapr_scheduler', nonRoot: [['securityContext', 'runAsNonRoot']] },
];

export const helmHaDisabled: Rule = {
  id: 'helm-ha-disabled',
  family: 'helm-values',
  severity: 'medium',
  title: 'the Dapr control plane runs without high availability',
  why: 'with one replica of Sentry, the operator, placement and the injector, a single pod restart stops certificate renewal, component updates and sidecar injection for the whole cluster',
  fix: 'set global.ha.enabled: true (three replicas of each control-plane service)',
  check(ctx) {
    return ctx.of('DaprHelmValues').flatMap((r): Hit[] => {
      const enabled = r.root.at('global', 'ha', 'enabled');
      if (enabled?.bool() === true) return [];
      return [
        {
          resource: r,
          at: enabled ?? r.root.at('global', 'ha') ?? r.root.get('global') ?? headOf(r),
          message: `${r.label}: global.ha.enabled is ${enabled?.str() ?? 'not set (the chart default is false)'}`,
        },
      ];
    });
  },
};

export const helmSentryIssuerPlaintext: Rule = {
  id: 'helm-sentry-issuer-plaintext',
  family: 'helm-values',
  severity: 'critical',
  title: "the Sentry issuer's private key is written in the values file",
  why: 'the issuer key signs every workload certificate: whoever reads the values file can mint an identity for any app and pass every access-control policy',
  fix: 'leave dapr_sentry.tls.issuer.keyPEM empty and install the issuer key as the dapr-trust-bundle Secret out of band (or let Sentry generate it)',
  check(ctx) {
    return ctx.of('DaprHelmValues').flatMap((r): Hit[] => {
      const key = r.root.at('dapr_sentry', 'tls', 'issuer', 'keyPEM');
      return key?.present
        ? [
            {
              resource: r,
              at: key,
              message: `${r.label}: dapr_sentry.tls.issuer.keyPEM holds a private key (${key.str()?.length ?? 0} characters, not shown)`,
            },
          ]
        : [];
    });
  },
};

export const helmControlPlaneRoot: Rule = {
  id: 'helm-control-plane-root',
  family: 'helm-values',
  severity: 'high',
  title: 'a control-plane service (or the injected sidecars) may run as root',
  why: "the control plane holds the cluster's trust root and can inject containers into every Dapr pod; running it as root widens what a compromise of it can do",
  fix: 'leave runAsNonRoot (and dapr_sidecar_injector.sidecarRunAsNonRoot) at the chart default, true',
  check(ctx) {
    return ctx.of('DaprHelmValues').flatMap((r): Hit[] =>
      CONTROL_PLANE.flatMap(({ section, nonRoot }) =>
        nonRoot.flatMap((path): Hit[] => {
          const node = r.root.at(section, ...path);
          return node?.bool() === false ? [{ resource: r, at: node, message: `${r.label}: ${[section, ...path].join('.')} is false` }] : [];
        }),
      ),
    );
  },
};

export const helmNoResourceLimits: Rule = {
  id: 'helm-no-resource-limits',
  family: 'helm-values',
  severity: 'medium',
  title: 'a control-plane service has no resource limits',
  why: 'an unbounded control-plane pod can starve its node, and the chart sets no limits by default',
  fix: "set resources.limits.cpu for each of dapr_operator, dapr_sentry, dapr_placement, dapr_sidecar_injector and dapr_scheduler (Dapr's production guidelines advise against memory limits there)",
  check(ctx) {
    return ctx.of('DaprHelmValues').flatMap((r: Resource): Hit[] => {
      const hits: Hit[] = [];
      const absent: string[] = [];
      for (const { section } of CONTROL_PLANE) {
        const node = r.root.get(section);
        if (!node) absent.push(section);
        else if (!r.root.at(section, 'resources', 'limits')?.entries().length)
          hits.push({ resource: r, at: node, message: `${r.label}: ${section}.resources.limits is not set` });
      }
      if (absent.length > 0)
        hits.push({
          resource: r,
          at: r.root.get('global') ?? headOf(r),
          message: `${r.label}: no resources.limits for ${absent.join(', ')}`,
        });
      return hits;
    });
  },
};

export const HELM_VALUES_RULES = [helmHaDisabled, helmSentryIssuerPlaintext, helmControlPlaneRoot, helmNoResourceLimits];
