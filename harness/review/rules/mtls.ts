import { parseGoDuration } from '../../resiliency/duration';
import type { Resource } from '../resources';
import { headOf, type Hit, type Rule } from '../rule';
import type { YamlNode } from '../yaml-node';

/** Dapr's defaults (the chart's global.mtls and Sentry's): a day-long workload certificate, a quarter hour of skew. */
const DEFAULT_CERT_TTL_MS = 24 * 3_600_000;
const DEFAULT_CLOCK_SKEW_MS = 15 * 60_000;

/** Where a resource keeps its mTLS settings: a Configuration's spec.mtls, the Dapr chart's global.mtls. */
function mtlsBlock(r: Resource): YamlNode | undefined {
  return r.kind === 'Configuration' ? r.root.at('spec', 'mtls') : r.root.at('global', 'mtls');
}

const mtlsResources = (ctx: { of: (k: 'Configuration' | 'DaprHelmValues') => Resource[] }): Resource[] => [
  ...ctx.of('Configuration'),
  ...ctx.of('DaprHelmValues'),
];

export const mtlsDisabled: Rule = {
  id: 'mtls-disabled',
  family: 'mtls',
  severity: 'critical',
  title: 'mTLS is switched off in a Configuration or in the Dapr chart values',
  why: "sidecars then talk to each other in plain text and without identities, so traffic can be read and any caller can pose as any app; access-control policies, which match the caller's mTLS identity, no longer protect anything",
  fix: 'set spec.mtls.enabled: true (Configuration) or global.mtls.enabled: true (Helm values), with Sentry running',
  check(ctx) {
    return mtlsResources(ctx).flatMap((r): Hit[] => {
      const enabled = mtlsBlock(r)?.get('enabled');
      return enabled?.bool() === false ? [{ resource: r, at: enabled, message: `${r.label}: mTLS enabled is false` }] : [];
    });
  },
};

export const mtlsNotSet: Rule = {
  id: 'mtls-not-set',
  family: 'mtls',
  severity: 'medium',
  title: 'a Configuration does not say whether mTLS is on',
  why: 'self-hosted sidecars run without mTLS unless their Configuration enables it, and on Kubernetes the answer then depends on a control-plane setting this file does not show',
  fix: 'write spec.mtls.enabled: true, so the reviewed file states the intent',
  check(ctx) {
    return ctx.of('Configuration').flatMap((r): Hit[] => {
      if (r.root.at('spec', 'mtls', 'enabled')?.present) return [];
      return [
        {
          resource: r,
          at: r.root.at('spec', 'mtls') ?? r.root.get('spec') ?? headOf(r),
          message: `${r.label}: spec.mtls.enabled is not set`,
        },
      ];
    });
  },
};

export const mtlsCertTtlLong: Rule = {
  id: 'mtls-cert-ttl-long',
  family: 'mtls',
  severity: 'medium',
  title: 'Sentry workload certificates live long or accept a large clock skew',
  why: 'a stolen workload certificate stays usable for its whole lifetime (there is no revocation), and a large allowed skew extends that further',
  fix: `keep workloadCertTTL at or below 24h and allowedClockSkew at or below 15m (Dapr's defaults)`,
  check(ctx) {
    return mtlsResources(ctx).flatMap((r): Hit[] => {
      const block = mtlsBlock(r);
      const hits: Hit[] = [];
      for (const [key, limitMs, limitText] of [
        ['workloadCertTTL', DEFAULT_CERT_TTL_MS, '24h'],
        ['allowedClockSkew', DEFAULT_CLOCK_SKEW_MS, '15m'],
      ] as const) {
        const node = block?.get(key);
        const text = node?.str();
        if (!node || !text) continue;
        const parsed = parseGoDuration(text);
        if (parsed.ok && parsed.ms > limitMs)
          hits.push({ resource: r, at: node, message: `${r.label}: ${key} is ${text}, longer than Dapr's default ${limitText}` });
      }
      return hits;
    });
  },
};

export const MTLS_RULES = [mtlsDisabled, mtlsNotSet, mtlsCertTtlLong];
