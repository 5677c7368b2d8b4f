import { expect } from 'chai';
import { deployment, measure, skipBecause } from '../../harness/suite-runner/suite-context';
import type { ResourceDocument } from '../../harness/targets/deployment';
import { configurations, named, NOT_READABLE, specOf } from '../support/configuration';
import { invoke } from '../support/sut';

interface Operation {
  name: string;
  httpVerb?: string[];
  action: 'allow' | 'deny';
}
interface Policy {
  appId: string;
  defaultAction?: 'allow' | 'deny';
  operations?: Operation[];
}
interface AccessControl {
  defaultAction?: 'allow' | 'deny';
  policies?: Policy[];
}

/** A route no app serves: a call that gets past access control answers 404; one that does not, 403. */
const UNSERVED = 'harness-acl-probe';

/**
 * The access-control policy in force, or the test fails naming what to set: a deployment without one, or one that
 * allows by default, does not meet T021. Only a Configuration the target cannot read makes the test not observable.
 */
function denyByDefault(ctx: Mocha.Context): { acl: AccessControl; config: ResourceDocument } {
  const configs = configurations();
  if (!configs) return skipBecause(ctx, 'not-observable', NOT_READABLE);
  const config = configs.find((c) => specOf<{ accessControl?: unknown }>(c).accessControl);
  if (!config) {
    throw new Error(
      `no accessControl in ${configs.map(named).join(', ')}: every app may invoke every other; add accessControl with defaultAction: deny and a policy per caller`,
    );
  }
  const acl = specOf<{ accessControl: AccessControl }>(config).accessControl;
  if (acl.defaultAction !== 'deny') {
    throw new Error(
      `accessControl.defaultAction is ${acl.defaultAction ?? 'unset (allow)'} in ${named(config)}: set it to deny, so that a caller no policy lists is refused`,
    );
  }
  return { acl, config };
}

/** A method path the operation allows: wildcards filled in. */
function pathOf(op: Operation): string {
  return op.name.replace(/^\//, '').replace(/\*\*/g, 'x').replace(/\*/g, 'x');
}

describe('security: access control between apps (T021)', () => {
  const appIds = (): string[] => [...new Set(deployment().apps.map((a) => a.appId))];
  const calleeFor = (caller: string): string => appIds().find((a) => a !== caller) as string;

  it('T021 an operation the policy allows reaches the callee', async function () {
    const { acl, config } = denyByDefault(this);
    const policy = acl.policies?.find(
      (p) =>
        appIds().includes(p.appId) &&
        p.operations?.some((o) => o.action === 'allow' && (!o.httpVerb || o.httpVerb.some((v) => v === 'GET' || v === '*'))),
    );
    if (!policy)
      throw new Error(
        `accessControl in ${named(config)} allows no GET operation to any app of this deployment (${appIds().join(', ')}): with defaultAction deny, add a policy with an allowed operation`,
      );
    const op = policy.operations?.find((o) => o.action === 'allow') as Operation;
    const callee = calleeFor(policy.appId);
    const res = await invoke(policy.appId, callee, pathOf(op));
    measure(this, 'call', `${policy.appId} → ${callee} GET /${pathOf(op)} = ${res.status}`);
    expect(res.status, `${policy.appId} → ${callee} ${op.name}: ${res.text}`).not.to.equal(403);
  });

  it('T021 a caller the policy does not list is refused with 403', async function () {
    const { acl } = denyByDefault(this);
    const listed = new Set((acl.policies ?? []).map((p) => p.appId));
    const stranger = appIds().find((a) => !listed.has(a));
    if (!stranger)
      return skipBecause(
        this,
        'not-observable',
        `every app of the deployment (${appIds().join(', ')}) has a policy, so no unlisted caller exists to call from`,
      );
    const callee = calleeFor(stranger);
    const res = await invoke(stranger, callee, UNSERVED);
    measure(this, 'call', `${stranger} → ${callee} = ${res.status}`);
    expect(res.status, `${stranger} is not on the allow-list of ${callee}`).to.equal(403);
  });

  it("T021 an operation outside a listed caller's allowed operations is refused with 403", async function () {
    const { acl, config } = denyByDefault(this);
    const policy = acl.policies?.find((p) => appIds().includes(p.appId) && (p.defaultAction ?? acl.defaultAction) === 'deny');
    if (!policy)
      throw new Error(
        `no policy in ${named(config)} for an app of this deployment denies by default: set defaultAction: deny on each policy, so a caller gets only the operations listed`,
      );
    const callee = calleeFor(policy.appId);
    const res = await invoke(policy.appId, callee, UNSERVED);
    measure(this, 'call', `${policy.appId} → ${callee} /${UNSERVED} = ${res.status}`);
    expect(res.status, `/${UNSERVED} is not among ${policy.appId}'s allowed operations`).to.equal(403);
  });
});
