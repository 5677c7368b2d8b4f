import type { Resource } from '../resources';
import { headOf, type Hit, type Rule } from '../rule';
import type { YamlNode } from '../yaml-node';

/** The control plane's own Configuration: it configures Sentry, not the sidecars' access control. */
const CONTROL_PLANE_CONFIGURATION = 'daprsystem';

/** Operation names that match every path (Dapr matches `**` across segments, `*` within one). */
const EVERY_OPERATION = new Set(['/**', '**']);

interface AccessControl {
  block: YamlNode | undefined;
  policies: YamlNode[];
  /** What daprd applies to callers no policy names, as pkg/acl decides it. */
  globalAction: 'allow' | 'deny';
  /** False when daprd treats the block as absent. */
  declared: boolean;
}

/** pkg/acl: no trust domain, default action or policies means no ACL; an unset default is deny once policies exist. */
function accessControlOf(r: Resource): AccessControl {
  const block = r.root.at('spec', 'accessControl');
  const policies = block?.get('policies')?.items() ?? [];
  const defaultAction = block?.get('defaultAction')?.str()?.toLowerCase();
  const declared = Boolean(block?.get('trustDomain')?.str() || defaultAction || policies.length > 0);
  const globalAction = defaultAction === 'deny' ? 'deny' : defaultAction === 'allow' ? 'allow' : policies.length > 0 ? 'deny' : 'allow';
  return { block, policies, globalAction, declared };
}

const appConfigurations = (ctx: { of: (k: 'Configuration') => Resource[] }): Resource[] =>
  ctx.of('Configuration').filter((r) => r.name !== CONTROL_PLANE_CONFIGURATION);

export const aclMissing: Rule = {
  id: 'acl-missing',
  family: 'access-control',
  severity: 'high',
  title: 'a Configuration has no access-control policy for service invocation',
  why: 'without spec.accessControl every app may invoke every method of every app that runs with this Configuration',
  fix: 'add spec.accessControl with defaultAction: deny, a trustDomain, and one policy per calling app listing the operations it may call',
  check(ctx) {
    return appConfigurations(ctx).flatMap((r): Hit[] => {
      const acl = accessControlOf(r);
      return acl.declared
        ? []
        : [
            {
              resource: r,
              at: acl.block ?? r.root.get('spec') ?? headOf(r),
              message: `${r.label}: no spec.accessControl, so every app may invoke every operation`,
            },
          ];
    });
  },
};

export const aclDefaultAllow: Rule = {
  id: 'acl-default-allow',
  family: 'access-control',
  severity: 'high',
  title: 'access control allows callers that no policy names',
  why: 'defaultAction: allow (or an accessControl block with neither policies nor a default action) lets every app not listed in a policy call every operation',
  fix: 'set spec.accessControl.defaultAction: deny and list the callers that need access',
  check(ctx) {
    return appConfigurations(ctx).flatMap((r): Hit[] => {
      const acl = accessControlOf(r);
      if (!acl.declared || acl.globalAction !== 'allow') return [];
      const at = acl.block?.get('defaultAction') ?? acl.block;
      return [
        { resource: r, at, message: `${r.label}: accessControl's default action is allow, so unlisted callers may invoke every operation` },
      ];
    });
  },
};

export const aclAllowAllOperations: Rule = {
  id: 'acl-allow-all-operations',
  family: 'access-control',
  severity: 'high',
  title: 'an access-control policy lets its caller invoke every operation',
  why: 'a policy whose default action is allow with nothing denied, or an operation `/**` with httpVerb `*` and action allow, is the same as having no access control for that caller',
  fix: 'give the policy defaultAction: deny and list the operations (paths and verbs) the caller needs',
  check(ctx) {
    return appConfigurations(ctx).flatMap((r): Hit[] => {
      const acl = accessControlOf(r);
      if (!acl.declared) return [];
      return acl.policies.flatMap((policy): Hit[] => {
        const appId = policy.get('appId')?.str() ?? '(no appId)';
        const ops = policy.get('operations')?.items() ?? [];
        const action = (n: YamlNode): string | undefined => n.get('action')?.str()?.toLowerCase();
        const wildcard = ops.find((op) => {
          const verbs = (op.get('httpVerb')?.items() ?? []).map((v) => v.str());
          return EVERY_OPERATION.has(op.get('name')?.str() ?? '') && action(op) === 'allow' && verbs.includes('*');
        });
        if (wildcard)
          return [{ resource: r, at: wildcard, message: `${r.label}: policy for ${appId} allows every operation with every verb` }];
        const policyDefault = policy.get('defaultAction')?.str()?.toLowerCase() || acl.globalAction;
        if (policyDefault === 'allow' && !ops.some((op) => action(op) === 'deny')) {
          return [
            {
              resource: r,
              at: policy.get('defaultAction') ?? policy.get('appId') ?? policy,
              message: `${r.label}: policy for ${appId} allows by default and denies nothing`,
            },
          ];
        }
        return [];
      });
    });
  },
};

export const aclPolicyIgnored: Rule = {
  id: 'acl-policy-ignored',
  family: 'access-control',
  severity: 'medium',
  title: 'an access-control policy lacks appId, trustDomain or namespace, so Dapr ignores it',
  why: 'daprd drops such a policy with only a log line; its caller then falls back to the global default action, which is not what the file appears to say',
  fix: 'give every policy appId, trustDomain and namespace',
  check(ctx) {
    return appConfigurations(ctx).flatMap((r): Hit[] =>
      accessControlOf(r).policies.flatMap((policy): Hit[] => {
        const missing = ['appId', 'trustDomain', 'namespace'].filter((k) => !policy.get(k)?.str());
        if (missing.length === 0) return [];
        const appId = policy.get('appId')?.str() ?? '(no appId)';
        return [{ resource: r, at: policy, message: `${r.label}: policy for ${appId} has no ${missing.join(', ')}, so daprd ignores it` }];
      }),
    );
  },
};

export const ACCESS_CONTROL_RULES = [aclMissing, aclDefaultAllow, aclAllowAllOperations, aclPolicyIgnored];
