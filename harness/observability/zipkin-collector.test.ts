import { expect } from 'chai';
import { ZipkinCollector } from './zipkin-collector';

describe('ZipkinCollector', () => {
  it("answers Zipkin's query for one trace with the spans it received, and its health", async () => {
    const c = new ZipkinCollector();
    await c.start();
    try {
      const base = `http://127.0.0.1:${c.listeningPort}`;
      const traceId = 'a'.repeat(32);
      const post = await fetch(`${base}/api/v2/spans`, {
        method: 'POST',
        body: JSON.stringify([
          { traceId, id: '1'.repeat(16), name: 'one' },
          { traceId: 'b'.repeat(32), id: '2'.repeat(16), name: 'other' },
        ]),
      });
      expect(post.status).to.equal(202);
      const spans = (await (await fetch(`${base}/api/v2/trace/${traceId}`)).json()) as { name: string }[];
      expect(spans.map((s) => s.name)).to.deep.equal(['one']);
      expect((await fetch(`${base}/healthz`)).status).to.equal(200);
      expect((await fetch(`${base}/api/v2/trace/not-an-id`)).status).to.equal(404);
    } finally {
      await c.stop();
    }
  });
});
