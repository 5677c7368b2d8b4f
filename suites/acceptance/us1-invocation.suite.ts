import { expect } from 'chai';
import { measure } from '../../harness/suite-runner/suite-context';
import { uniqueId } from '../support/http';
import { APPS, callLogOf, injectFailures, invoke, resetFaults } from '../support/sut';

interface Echo {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

describe('US1 service invocation', () => {
  afterEach(async () => {
    await resetFaults([APPS.tasks, APPS.sample]);
  });

  it('T018 sample-app is reached by app id only, through the sidecars', async function () {
    const started = performance.now();
    // Only sidecar URLs are used: the caller's sidecar resolves sample-app by its id.
    const res = await invoke<Echo>(APPS.audit, APPS.sample, 'echo/hello');
    measure(this, 'latencyMs', Math.round((performance.now() - started) * 10) / 10);
    expect(res.status).to.equal(200);
    // Dapr tells the callee who called: proof the request came through service invocation, not straight in.
    expect(res.body.headers['dapr-caller-app-id']).to.equal(APPS.audit);
    expect(res.body.headers['dapr-callee-app-id']).to.equal(APPS.sample);
  });

  it('T018 an invocation chain crosses three services', async () => {
    const res = await invoke<{ app: string }>(APPS.audit, APPS.sample, `call/${APPS.preferences}/whoami`);
    expect(res.status, res.text).to.equal(200);
    expect(res.headers.get('x-invoked-via')).to.equal('dapr');
    expect(res.body.app).to.equal(APPS.preferences);
  });

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    it(`T018 ${method}: verb, path, query, headers and body arrive unchanged`, async () => {
      const hasBody = method !== 'GET';
      const res = await invoke<Echo>(APPS.tasks, APPS.sample, 'echo/a/b?x=1&y=two', {
        method,
        headers: { 'x-harness-probe': 'kept' },
        ...(hasBody ? { json: { n: 1, s: 'ü' } } : {}),
      });
      expect(res.status).to.equal(200);
      expect(res.body.method).to.equal(method);
      expect(res.body.path).to.equal('/echo/a/b');
      expect(res.body.query).to.deep.equal({ x: '1', y: 'two' });
      expect(res.body.headers['x-harness-probe']).to.equal('kept');
      if (hasBody) expect(res.body.body).to.deep.equal({ n: 1, s: 'ü' });
    });
  }

  for (const code of [404, 500, 503]) {
    it(`T018 a callee's ${code} reaches the caller as ${code}`, async () => {
      const res = await invoke<{ status: number }>(APPS.tasks, APPS.sample, `status/${code}`);
      expect(res.status).to.equal(code);
      expect(res.body).to.deep.equal({ status: code });
    });
  }

  it("T018 a transient failure is retried by the resiliency policy, as the callee's call log shows", async function () {
    const created = await invoke<{ task: { id: string } }>(APPS.sample, APPS.tasks, 'tasks', {
      method: 'POST',
      json: { title: uniqueId('retry') },
    });
    expect(created.status).to.equal(201);
    const key = uniqueId('transient');
    await injectFailures(APPS.tasks, { key, count: 1, status: 500 });
    const res = await invoke<{ id: string }>(APPS.sample, APPS.tasks, `tasks/${created.body.task.id}`, { headers: { 'x-fault-key': key } });
    expect(res.status, 'the caller sees the retried success').to.equal(200);
    expect(res.body.id).to.equal(created.body.task.id);
    const log = await callLogOf(APPS.tasks, key);
    measure(this, 'calleeCalls', log.count);
    expect(log.calls.map((c) => c.status)).to.deep.equal([500, 200]);
  });
});
