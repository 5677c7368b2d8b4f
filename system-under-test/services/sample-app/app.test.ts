import { expect } from 'chai';
import { MemorySidecar } from '../../../test/support/sut-apps/memory-sidecar';
import { call, quietLogs, serve, type Served } from '../../../test/support/sut-apps/serve';
import { createSampleApp } from './app';

describe('sample-app', () => {
  const quiet = quietLogs();
  before(quiet.before);
  after(quiet.after);
  let served: Served;
  let sidecar: MemorySidecar;

  beforeEach(async () => {
    sidecar = new MemorySidecar();
    served = await serve(createSampleApp({ sidecar }));
  });

  afterEach(async () => {
    await served.close();
  });

  it('GET /hello names the app and the instance', async () => {
    const res = await call<{ message: string; instance: string }>(`${served.url}/hello`);
    expect(res.status).to.equal(200);
    expect(res.body.message).to.equal('hello');
    expect(res.body.instance).to.equal(process.env.INSTANCE ?? String(process.pid));
  });

  it('echoes method, path, query, headers and a JSON body', async () => {
    const res = await call<{ method: string; path: string; query: unknown; headers: Record<string, string>; body: unknown }>(
      `${served.url}/echo/a/b?x=1&y=two`,
      {
        method: 'PATCH',
        json: { n: 1, s: 'ü' },
        headers: { 'x-probe': 'kept' },
      },
    );
    expect(res.body).to.deep.include({ method: 'PATCH', path: '/echo/a/b', query: { x: '1', y: 'two' }, body: { n: 1, s: 'ü' } });
    expect(res.body.headers['x-probe']).to.equal('kept');
  });

  it('does not echo the app API token its sidecar sends it', async () => {
    const res = await call<{ headers: Record<string, string> }>(`${served.url}/echo`, {
      headers: { 'dapr-api-token': 'app-token-123456', 'x-probe': 'kept' },
    });
    expect(res.body.headers['x-probe']).to.equal('kept');
    expect(res.body.headers).not.to.have.property('dapr-api-token');
  });

  it('echoes a text body as text, and no body as null', async () => {
    const text = await fetch(`${served.url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'plain words' });
    expect(((await text.json()) as { body: unknown }).body).to.equal('plain words');
    expect((await call<{ body: unknown }>(`${served.url}/echo`)).body.body).to.equal(null);
  });

  it('GET /status/:code answers that status', async () => {
    const res = await call(`${served.url}/status/503`);
    expect(res.status).to.equal(503);
    expect(res.body).to.deep.equal({ status: 503 });
  });

  it('refuses a status code outside 200..599', async () => {
    for (const code of ['99', '600', 'abc']) {
      const res = await call<{ error: string }>(`${served.url}/status/${code}`);
      expect(res.status, code).to.equal(400);
      expect(res.body.error).to.match(/status code must be a whole number from 200 to 599/);
    }
  });

  it('/call relays method, raw path and query, body, content type, trace and x-* headers through the sidecar', async () => {
    sidecar.invokeAnswer = () =>
      new Response('{"done":true}', {
        status: 201,
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-internal': 'not relayed' },
      });
    const res = await fetch(`${served.url}/call/task-service/tasks/a%2Fb?x=1&y=2`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-fault-key': 'k1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'a=b',
        'x-other': 'o',
        authorization: 'secret',
      },
      body: '{"title": "exact bytes"}',
    });
    expect(res.status).to.equal(201);
    expect(res.headers.get('x-invoked-via')).to.equal('dapr');
    expect(res.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(res.headers.get('x-internal')).to.equal(null);
    expect(await res.text()).to.equal('{"done":true}');

    const sent = sidecar.invocations[0];
    expect(sent?.appId).to.equal('task-service');
    expect(sent?.path).to.equal('tasks/a%2Fb?x=1&y=2');
    expect(sent?.req.method).to.equal('POST');
    expect(sent?.req.body?.toString()).to.equal('{"title": "exact bytes"}');
    expect(sent?.req.headers).to.deep.equal({
      'content-type': 'application/json',
      'x-fault-key': 'k1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'a=b',
      'x-other': 'o',
    });
  });

  it("/call returns the callee's error status and body verbatim", async () => {
    sidecar.invokeAnswer = () =>
      new Response('{"errorCode":"ERR_DIRECT_INVOKE","message":"circuit breaker is open"}', {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    const res = await call<{ errorCode: string }>(`${served.url}/call/task-service/tasks/1`);
    expect(res.status).to.equal(500);
    expect(res.body.errorCode).to.equal('ERR_DIRECT_INVOKE');
  });

  it('/call answers 502 with the reason when the sidecar cannot be reached', async () => {
    sidecar.failNext('invoke', 0, { errorCode: 'SIDECAR_UNREACHABLE', message: 'cannot reach the Dapr sidecar' });
    const res = await call<{ errorCode: string }>(`${served.url}/call/task-service/tasks/1`);
    expect(res.status).to.equal(502);
    expect(res.headers.get('x-invoked-via')).to.equal('dapr');
    expect(res.body.errorCode).to.equal('SIDECAR_UNREACHABLE');
  });

  it('/call without a method path is not a route', async () => {
    expect((await call(`${served.url}/call/task-service`)).status).to.equal(404);
    expect(sidecar.invocations).to.deep.equal([]);
  });
});
