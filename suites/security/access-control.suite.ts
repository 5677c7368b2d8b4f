import { expect } from 'chai';
import { deployment, measure } from '../../harness/suites/suite-context';
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

function accessControl(): AccessControl | undefined {
  const config = (deployment().resources ?? []).find((r) => r.kind === 'Configuration' && (r.body.spec as { accessControl?: unknown }).accessControl);
  return config ? ((config.body.spec as { accessControl: AccessControl }).accessControl) : undefined;
}

/** A method path the operation allows: wildcards filled in. */
function pathOf(op: Operation): string {
  return op.name.replace(/^\//, '').replace(/\*\*/g, 'x').replace(/\*/g, 'x');
}

describe('security: access control between apps (T021)', () => {
  const appIds = (): string[] => [...new Set(deployment().apps.map((a) => a.appId))];
  const calleeFor = (caller: string): string => appIds().find((a) => a !== caller) as string;

  it('T021 an operation the policy allows reaches the callee', async function () {
    const acl = accessControl();
    const policy = acl?.policies?.find((p) => appIds().includes(p.appId) && p.operations?.some((o) => o.action === 'allow' && (!o.httpVerb || o.httpVerb.some((v) => v === 'GET' || v === '*'))));
    if (!policy) this.skip();
    const op = policy?.operations?.find((o) => o.action === 'allow') as Operation;
    const callee = calleeFor(policy?.appId as string);
    const res = await invoke(policy?.appId as string, callee, pathOf(op));
    measure(this, 'call', `${policy?.appId} → ${callee} GET /${pathOf(op)} = ${res.status}`);
    expect(res.status, `${policy?.appId} → ${callee} ${op.name}: ${res.text}`).not.to.equal(403);
  });

  it('T021 a caller the policy does not list is refused with 403', async function () {
    const acl = accessControl();
    if (acl?.defaultAction !== 'deny') this.skip();
    const listed = new Set((acl?.policies ?? []).map((p) => p.appId));
    const stranger = appIds().find((a) => !listed.has(a));
    if (!stranger) this.skip();
    const callee = calleeFor(stranger as string);
    const res = await invoke(stranger as string, callee, UNSERVED);
    measure(this, 'call', `${stranger} → ${callee} = ${res.status}`);
    expect(res.status, `${stranger} is not on the allow-list of ${callee}`).to.equal(403);
  });

  it('T021 an operation outside a listed caller\'s allowed operations is refused with 403', async function () {
    const acl = accessControl();
    const policy = acl?.policies?.find((p) => appIds().includes(p.appId) && (p.defaultAction ?? acl.defaultAction) === 'deny');
    if (!policy) this.skip();
    const callee = calleeFor(policy?.appId as string);
    const res = await invoke(policy?.appId as string, callee, UNSERVED);
    measure(this, 'call', `${policy?.appId} → ${callee} /${UNSERVED} = ${res.status}`);
    expect(res.status, `/${UNSERVED} is not among ${policy?.appId}'s allowed operations`).to.equal(403);
  });
});
