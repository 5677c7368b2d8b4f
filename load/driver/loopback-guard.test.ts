import diagnostics from 'node:diagnostics_channel';
import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import { runLoad } from './load-driver';
import { startTestHttpServer } from '../../test/support/test-http-server';
import { checkedTarget, isLoopbackHost } from './loopback-guard';

describe('loopback guard', () => {
  it('accepts 127.0.0.0/8, ::1 and localhost in the forms URLs produce', () => {
    for (const url of [
      'http://127.0.0.1:3500',
      'http://127.1.2.3/',
      'http://localhost:8080',
      'http://LOCALHOST/',
      'http://[::1]:3500',
      'https://[::ffff:127.0.0.1]/',
      'http://127.1/',
      'http://0x7f000001/',
    ]) {
      expect(isLoopbackHost(new URL(url).hostname), url).to.equal(true);
    }
  });

  it('refuses every other host, including names that merely look local', () => {
    for (const url of [
      'http://10.0.0.1',
      'http://example.com',
      'http://0.0.0.0:3500',
      'http://[::]/',
      'http://[::ffff:10.0.0.1]/',
      'http://192.168.1.10/',
      'http://localhost.example.com/',
      'http://127.0.0.1.nip.io/',
      'http://128.0.0.1/',
    ]) {
      expect(isLoopbackHost(new URL(url).hostname), url).to.equal(false);
    }
  });

  it('lets a non-loopback target through only when allowNonLoopback is set', () => {
    expect(() => checkedTarget('http://10.0.0.1', false)).to.throw(HarnessError, /not a loopback address/);
    expect(checkedTarget('http://10.0.0.1', true).host).to.equal('10.0.0.1');
  });

  describe('the driver', () => {
    const seen: string[] = [];
    const onRequest = (message: unknown): void => {
      const m = message as { request?: { origin?: string } };
      seen.push(String(m.request?.origin ?? 'request'));
    };
    const onConnect = (message: unknown): void => {
      const m = message as { connectParams?: { hostname?: string } };
      seen.push(String(m.connectParams?.hostname ?? 'connect'));
    };
    before(() => {
      diagnostics.subscribe('undici:request:create', onRequest);
      diagnostics.subscribe('undici:client:beforeConnect', onConnect);
    });
    after(() => {
      diagnostics.unsubscribe('undici:request:create', onRequest);
      diagnostics.unsubscribe('undici:client:beforeConnect', onConnect);
    });

    it('sees the requests and connections of a loopback run (the probes work)', async () => {
      seen.length = 0;
      const server = await startTestHttpServer();
      try {
        const result = await runLoad({ url: server.url, model: { kind: 'closed' }, connections: 1, maxRequests: 3, durationMs: 5000 });
        expect(result.totals.sent).to.equal(3);
        expect(seen).to.include('127.0.0.1');
        expect(seen.filter((s) => s.startsWith('http://127.0.0.1'))).to.have.length(3);
      } finally {
        await server.stop();
      }
    });

    for (const url of ['http://10.0.0.1', 'http://example.com']) {
      it(`refuses ${url} with a usage error, without creating a request or a connection`, async () => {
        seen.length = 0;
        let error: unknown;
        await runLoad({ url, model: { kind: 'open', ratePerSecond: 100 }, durationMs: 1000 }).catch((err: unknown) => (error = err));
        expect(error).to.be.instanceOf(HarnessError);
        const e = error as HarnessError;
        expect(e.code).to.equal('LOAD_NON_LOOPBACK_TARGET');
        expect(e.kind).to.equal('usage');
        expect(e.hint).to.contain('allowNonLoopback');
        // Give any stray dispatch a chance to surface before checking that nothing left.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(seen).to.deep.equal([]);
      });
    }
  });
});
