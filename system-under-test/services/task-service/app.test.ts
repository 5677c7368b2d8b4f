import { expect } from 'chai';
import { MemorySidecar } from '../../../test/support/sut-apps/memory-sidecar';
import { call, quietLogs, serve, type Served } from '../../../test/support/sut-apps/serve';
import { createTaskApp, taskKey, type Task, type TaskEvent } from './app';

describe('task-service', () => {
  const quiet = quietLogs();
  before(quiet.before);
  after(quiet.after);
  let served: Served;
  let sidecar: MemorySidecar;
  let ids: number;

  beforeEach(async () => {
    sidecar = new MemorySidecar();
    ids = 0;
    served = await serve(createTaskApp({ sidecar, newId: () => `id-${++ids}`, now: () => 1_700_000_000_000 }));
  });

  afterEach(async () => {
    await served.close();
  });

  it('POST /tasks saves the task under task-<id>, publishes task.created, and answers 201 {task, eventId}', async () => {
    const res = await call<{ task: Task; eventId: string }>(`${served.url}/tasks`, {
      json: { title: 'write', priority: 2, id: 'ignored' },
      headers: { traceparent: 'tp-1' },
    });
    expect(res.status).to.equal(201);
    const stamp = new Date(1_700_000_000_000).toISOString();
    expect(res.body.task).to.deep.equal({ id: 'id-1', title: 'write', priority: 2, status: 'open', createdAt: stamp, updatedAt: stamp });
    expect(res.body.eventId).to.equal('id-2');
    expect(sidecar.state.get(taskKey('id-1'))?.value).to.deep.equal(res.body.task);
    expect(sidecar.published).to.have.length(1);
    const published = sidecar.published[0];
    expect(published).to.deep.include({ pubsub: 'pubsub', topic: 'task.created' });
    expect(published?.data).to.deep.equal({
      eventId: 'id-2',
      taskId: 'id-1',
      publishedAt: 1_700_000_000_000,
      task: res.body.task,
    } satisfies TaskEvent);
    expect(published?.headers, 'the trace continues into the publish').to.deep.equal({ traceparent: 'tp-1' });
  });

  it('refuses a task without a title, and publishes nothing', async () => {
    for (const body of [{}, { title: '  ' }, { title: 3 }]) {
      const res = await call<{ error: string; hint: string }>(`${served.url}/tasks`, { json: body });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('title is required (a non-empty string)');
    }
    expect(sidecar.published).to.deep.equal([]);
    expect(sidecar.saves).to.deep.equal([]);
  });

  it("a failed publish answers 502 with Dapr's error body", async () => {
    const daprError = { errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE', message: 'error when publish to topic task.created in pubsub pubsub' };
    sidecar.failNext('publish', 500, daprError);
    const res = await call(`${served.url}/tasks`, { json: { title: 'x' } });
    expect(res.status).to.equal(502);
    expect(res.body).to.deep.equal(daprError);
  });

  it('a failed save answers 502 and publishes nothing', async () => {
    sidecar.failNext('save state', 500);
    const res = await call(`${served.url}/tasks`, { json: { title: 'x' } });
    expect(res.status).to.equal(502);
    expect(sidecar.published).to.deep.equal([]);
  });

  it('GET /tasks/:id returns the task, or 404', async () => {
    const created = await call<{ task: Task }>(`${served.url}/tasks`, { json: { title: 'x' } });
    expect((await call<Task>(`${served.url}/tasks/${created.body.task.id}`)).body).to.deep.equal(created.body.task);
    const missing = await call<{ error: string }>(`${served.url}/tasks/nope`);
    expect(missing.status).to.equal(404);
    expect(missing.body.error).to.equal('no task nope');
  });

  it('PUT /tasks/:id merges the fields, keeps id and createdAt, writes with the ETag it read, publishes task.updated', async () => {
    const created = await call<{ task: Task }>(`${served.url}/tasks`, { json: { title: 'x' } });
    const id = created.body.task.id;
    const res = await call<{ task: Task; eventId: string }>(`${served.url}/tasks/${id}`, {
      method: 'PUT',
      json: { status: 'done', id: 'other', createdAt: 'never' },
    });
    expect(res.status).to.equal(200);
    expect(res.body.task).to.deep.include({ id, title: 'x', status: 'done', createdAt: created.body.task.createdAt });
    const lastSave = sidecar.saves.at(-1)?.items[0];
    expect(lastSave).to.deep.include({ etag: '1', options: { concurrency: 'first-write' } });
    expect(sidecar.published.at(-1)).to.deep.include({ topic: 'task.updated' });
    expect((sidecar.published.at(-1)?.data as TaskEvent).eventId).to.equal(res.body.eventId);
  });

  it('PUT retries after a concurrent write made its ETag stale, and gives up with 409 after a few tries', async () => {
    const created = await call<{ task: Task }>(`${served.url}/tasks`, { json: { title: 'x' } });
    const id = created.body.task.id;
    sidecar.failNext('save state', 409);
    expect((await call(`${served.url}/tasks/${id}`, { method: 'PUT', json: { status: 'a' } })).status).to.equal(200);
    for (let i = 0; i < 3; i++) sidecar.failNext('save state', 409);
    const res = await call<{ error: string }>(`${served.url}/tasks/${id}`, { method: 'PUT', json: { status: 'b' } });
    expect(res.status).to.equal(409);
    expect(res.body.error).to.equal('conflict');
  });

  it('PUT of a missing task is 404 and publishes nothing; a bad title is 400', async () => {
    expect((await call(`${served.url}/tasks/nope`, { method: 'PUT', json: { status: 'done' } })).status).to.equal(404);
    expect(sidecar.published).to.deep.equal([]);
    expect((await call(`${served.url}/tasks/x`, { method: 'PUT', json: { title: '' } })).status).to.equal(400);
  });

  it('POST /tasks/bulk saves every task in one call and publishes them with one bulk publish', async () => {
    const res = await call<{ eventIds: string[]; taskIds: string[] }>(`${served.url}/tasks/bulk`, {
      json: { count: 3, titlePrefix: 'load' },
    });
    expect(res.status).to.equal(200);
    expect(res.body.taskIds).to.deep.equal(['id-1', 'id-2', 'id-3']);
    expect(res.body.eventIds).to.deep.equal(['id-4', 'id-5', 'id-6']);
    expect(sidecar.saves).to.have.length(1);
    expect(sidecar.saves[0]?.items.map((i) => (i.value as Task).title)).to.deep.equal(['load-1', 'load-2', 'load-3']);
    expect(sidecar.bulkPublished).to.have.length(1);
    const bulk = sidecar.bulkPublished[0];
    expect(bulk?.topic).to.equal('task.created');
    expect(bulk?.entries.map((e) => [e.entryId, e.contentType, (e.event as TaskEvent).taskId])).to.deep.equal([
      ['id-4', 'application/json', 'id-1'],
      ['id-5', 'application/json', 'id-2'],
      ['id-6', 'application/json', 'id-3'],
    ]);
  });

  it("POST /tasks/bulk refuses a count outside 1..1000; a failed bulk publish is 502 with Dapr's body", async () => {
    for (const count of [0, 1001, 2.5, '3'])
      expect((await call(`${served.url}/tasks/bulk`, { json: { count } })).status, String(count)).to.equal(400);
    const failure = { failedEntries: [{ entryId: 'id-2', error: 'nats: timeout' }], errorCode: 'ERR_PUBSUB_PUBLISH_MESSAGE' };
    sidecar.failNext('bulk publish', 500, failure);
    const res = await call(`${served.url}/tasks/bulk`, { json: { count: 1 } });
    expect(res.status).to.equal(502);
    expect(res.body).to.deep.equal(failure);
  });
});
