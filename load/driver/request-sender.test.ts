import { expect } from 'chai';
import { classifyTransportError } from './error-kind';
import { RequestSender, type SendOutcome } from './request-sender';
import { startTestHttpServer, type TestHttpServer } from '../../test/support/test-http-server';

function sendOnce(sender: RequestSender, path = '/'): Promise<SendOutcome> {
  return new Promise((resolve) => sender.send({ path }, resolve));
}

describe('request sender', function () {
  this.timeout(10_000);
  let server: TestHttpServer;
  let sender: RequestSender | undefined;
  const held: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestHttpServer();
  });
  afterEach(async () => {
    await sender?.destroy();
    sender = undefined;
    held.splice(0).forEach((release) => release());
    await server.stop();
  });

  function senderFor(options: Partial<ConstructorParameters<typeof RequestSender>[0]> = {}): RequestSender {
    sender = new RequestSender({
      origin: server.url,
      basePath: '',
      connections: 2,
      pipelining: 1,
      timeoutMs: 1000,
      readBody: false,
      ...options,
    });
    return sender;
  }

  it('reports status and times, and reads the body only when asked to', async () => {
    server.setHandler((_req, res) => {
      res.statusCode = 201;
      res.end('hello');
    });
    const plain = await sendOnce(senderFor());
    expect(plain.status).to.equal(201);
    expect(plain.body).to.equal(undefined);
    expect(plain.error).to.equal(undefined);
    expect(plain.endedAt).to.be.at.least(plain.startedAt);
    await sender?.destroy();
    const reading = await sendOnce(senderFor({ readBody: true }));
    expect(reading.body).to.equal('hello');
  });

  it('keeps at most 64 KiB of a large body', async () => {
    server.setHandler((_req, res) => res.end('x'.repeat(200 * 1024)));
    const outcome = await sendOnce(senderFor({ readBody: true }));
    expect(outcome.status).to.equal(200);
    expect(outcome.body?.length).to.equal(64 * 1024);
  });

  it('times out the whole exchange, even when headers came in time and the body trickles', async () => {
    server.setHandler((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
      held.push(() => res.end('rest'));
    });
    const outcome = await sendOnce(senderFor({ timeoutMs: 200 }));
    expect(classifyTransportError(outcome.error)).to.equal('timeout');
    expect(outcome.endedAt - outcome.startedAt).to.be.within(190, 1000);
  });

  it('calls done exactly once per request, and fails what is in flight on destroy', async () => {
    server.setHandler((_req, res) => held.push(() => res.end('late')));
    const s = senderFor({ timeoutMs: 60_000 });
    const calls: SendOutcome[] = [];
    s.send({ path: '/a' }, (o) => calls.push(o));
    s.send({ path: '/b' }, (o) => calls.push(o));
    while (server.received < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await s.destroy();
    sender = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).to.have.length(2);
    for (const c of calls) expect(c.error).to.not.equal(undefined);
  });

  it('reports an invalid request as a failure instead of throwing', async () => {
    const outcome = await new Promise<SendOutcome>((resolve) =>
      senderFor().send({ path: '/', method: 'GET', headers: { 'bad header': 'x' } }, resolve),
    );
    expect(outcome.error).to.be.instanceOf(Error);
    expect(outcome.status).to.equal(undefined);
    expect(server.received).to.equal(0);
  });
});
