import { expect } from 'chai';
import type { LocalDeployment } from '../../harness/targets/local/local-target';
import { sharedDeployment } from '../support/shared-deployment';
import { appUrl, clearFaults, deleteTasks, json, uniqueId } from './sut-http';

interface CallLog {
  key: string;
  count: number;
  calls: { time: string; method: string; path: string; status: number; attempt: number }[];
}

/**
 * Fault controls observed through the real invocation path: caller → sample-app → its daprd → (mTLS) →
 * task-service's daprd → task-service. task-service's resiliency target retries 5xx/429 three times (200ms apart)
 * and opens its breaker after more than 5 consecutive failures, so every test here stays below that and ends with
 * a success, which closes the count again.
 */
describe('reference services: fault controls through sample-app → sidecars → task-service', function () {
  this.timeout(180_000);
  let d: LocalDeployment;
  let taskPath: string;
  const taskIds: string[] = [];

  const invoke = (key?: string) =>
    json<{ id?: string; error?: string; status?: number }>(`${appUrl(d, 'sample-app')}/call/task-service/${taskPath}`, {
      headers: key ? { 'x-fault-key': key } : {},
    });
  const setFault = async (body: Record<string, unknown>): Promise<void> => {
    const res = await json(`${appUrl(d, 'task-service')}/faults/calls`, { body });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };
  const callLog = async (app: string, key: string): Promise<CallLog> =>
    (await json<CallLog>(`${appUrl(d, app)}/faults/calllog?key=${key}`)).body;

  before(async () => {
    d = await sharedDeployment();
    const created = await json<{ task: { id: string } }>(`${appUrl(d, 'task-service')}/tasks`, {
      body: { title: uniqueId('fault-target') },
    });
    expect(created.status).to.equal(201);
    taskIds.push(created.body.task.id);
    taskPath = `tasks/${created.body.task.id}`;
  });

  afterEach(async () => {
    await clearFaults(d);
  });

  after(async () => {
    await clearFaults(d);
    await deleteTasks(d, taskIds);
  });

  it("the next N calls with the fault key fail; Dapr's retries reach the callee and the call log shows each one", async () => {
    const key = uniqueId('transient');
    await setFault({ key, count: 2, status: 503 });
    const res = await invoke(key);
    expect(res.status, 'the third attempt succeeds, so the caller sees the task').to.equal(200);
    expect(res.headers.get('x-invoked-via')).to.equal('dapr');
    expect(res.body.id).to.equal(taskPath.split('/')[1]);
    const log = await callLog('task-service', key);
    expect(log.count).to.equal(3);
    expect(log.calls.map((c) => [c.status, c.attempt, c.method, c.path])).to.deep.equal([
      [503, 1, 'GET', `/${taskPath}`],
      [503, 2, 'GET', `/${taskPath}`],
      [200, 3, 'GET', `/${taskPath}`],
    ]);
    // The caller's own log saw one call: the retries happened between the sidecars.
    expect((await callLog('sample-app', key)).calls.map((c) => c.status)).to.deep.equal([200]);
  });

  it('a fault status outside the retry policy (4xx) reaches the caller at once, after one call', async () => {
    const key = uniqueId('teapot');
    await setFault({ key, count: 1, status: 418 });
    const res = await invoke(key);
    expect(res.status).to.equal(418);
    expect(res.body).to.deep.include({ error: 'injected fault', status: 418 });
    expect((await callLog('task-service', key)).calls.map((c) => c.status)).to.deep.equal([418]);
    expect((await invoke(key)).status, 'count 1: the next call is handled').to.equal(200);
  });

  it('while the fault outlasts the retries, the invocation really fails (negative)', async () => {
    const key = uniqueId('outage');
    await setFault({ key, count: 4, status: 500 });
    const res = await invoke(key);
    expect(res.status, 'retries exhausted: the caller gets the failure').to.equal(500);
    expect(res.body).to.deep.include({ error: 'injected fault', status: 500 });
    const log = await callLog('task-service', key);
    expect(log.calls.map((c) => [c.status, c.attempt])).to.deep.equal([
      [500, 1],
      [500, 2],
      [500, 3],
      [500, 4],
    ]);
    expect((await invoke(key)).status, 'fault used up: the service answers again').to.equal(200);
  });

  it('a keyed fault leaves calls without that key alone (negative)', async () => {
    const key = uniqueId('isolated');
    await setFault({ key, count: 3, status: 500 });
    expect((await invoke()).status).to.equal(200);
    expect((await invoke(uniqueId('other'))).status).to.equal(200);
    const active = await json<{ calls: { key: string; remaining: number }[] }>(`${appUrl(d, 'task-service')}/faults`);
    expect(active.body.calls).to.have.length(1);
    expect(active.body.calls[0]).to.include({ key, remaining: 3 });
  });

  it('a delay longer than the invocation timeout (5s) makes Dapr give up on that attempt and retry', async () => {
    const key = uniqueId('slow');
    const set = await json(`${appUrl(d, 'task-service')}/faults/delay`, { body: { key, delayMs: 6000, count: 1 } });
    expect(set.status).to.equal(200);
    const res = await invoke(key);
    expect(res.status).to.equal(200);
    const statuses = (await callLog('task-service', key)).calls.map((c) => c.status);
    expect(statuses, 'the timed-out attempt is logged as abandoned by its caller (499), then the retry succeeds').to.deep.equal([499, 200]);
  });

  it('DELETE /faults clears the faults: a pending one no longer fires', async () => {
    const key = uniqueId('cleared');
    await setFault({ key, count: 2, status: 500 });
    expect((await json(`${appUrl(d, 'task-service')}/faults`, { method: 'DELETE' })).status).to.equal(200);
    expect((await invoke(key)).status).to.equal(200);
    expect((await callLog('task-service', key)).calls.map((c) => c.status)).to.deep.equal([200]);
  });

  it('refuses a malformed fault with 400 naming the problem', async () => {
    const res = await json<{ error: string }>(`${appUrl(d, 'task-service')}/faults/calls`, { body: { count: -1 } });
    expect(res.status).to.equal(400);
    expect(res.body.error).to.match(/count must be a whole number/);
  });
});
