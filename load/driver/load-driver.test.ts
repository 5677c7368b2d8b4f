import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import type { ProgressSnapshot } from './driver-options';
import { runLoad } from './load-driver';
import { answerOk, startTestHttpServer, type TestHttpServer } from '../../test/support/test-http-server';

/** Rates and counts are asserted loosely: the machine is shared, and the driver's own speed is not under test. */
describe('load driver against a local http server', function () {
  this.timeout(30_000);
  let server: TestHttpServer;
  const held: (() => void)[] = [];

  beforeEach(async () => {
    server = await startTestHttpServer();
  });
  afterEach(async () => {
    held.splice(0).forEach((release) => release());
    await server.stop();
  });

  describe('the driver watching itself', () => {
    it('marks a run driver-limited, and says why, when its own event loop keeps it from the schedule', async () => {
      const run = runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 100 }, durationMs: 1500 });
      // The harness's thread is busy with something else for 900 ms: arrivals due meanwhile go out late.
      setTimeout(() => {
        const until = performance.now() + 900;
        while (performance.now() < until);
      }, 300);
      const result = await run;
      expect(result.driver.limited).to.equal(true);
      expect(result.driver.latenessP99Ms).to.be.greaterThan(250);
      expect(result.driver.eventLoopDelayMaxMs).to.be.greaterThan(250);
      expect(result.driver.reasons.join()).to.match(/behind its schedule/);
    });
  });

  describe('arrival models', () => {
    it('sends an open model at the asked rate, and the server sees every request', async () => {
      const result = await runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 200 }, durationMs: 2000 });
      expect(result.stopReason).to.equal('completed');
      expect(result.partial).to.equal(false);
      expect(result.requestedRatePerSecond).to.equal(200);
      expect(result.achievedRatePerSecond).to.be.within(180, 220);
      expect(result.totals.sent).to.be.within(360, 440);
      expect(server.received).to.equal(result.totals.sent);
      expect(result.totals).to.include({ completed: result.totals.sent, ok: result.totals.sent, errors: 0, dropped: 0, unfinished: 0 });
      // Seconds 0 and 1 carry the schedule; on a busy machine the last sends may slip into a short third second.
      const seconds = result.timeline.map((p) => p.t);
      expect(seconds.slice(0, 2)).to.deep.equal([0, 1]);
      expect(seconds.length).to.be.at.most(3);
      for (const p of result.timeline.slice(0, 2)) expect(p.ratePerSecond).to.be.within(150, 250);
    });

    it('changes the rate with ramping stages', async () => {
      const result = await runLoad({
        url: server.url,
        model: {
          kind: 'ramping',
          startRatePerSecond: 20,
          stages: [
            { durationMs: 1000, targetRatePerSecond: 20 },
            { durationMs: 1000, targetRatePerSecond: 200 },
            { durationMs: 1000, targetRatePerSecond: 200 },
          ],
        },
      });
      expect(result.stopReason).to.equal('completed');
      const rates = result.timeline.map((p) => p.ratePerSecond);
      expect(rates).to.have.length(3);
      expect(rates[0]).to.be.within(15, 25);
      expect(rates[1]).to.be.within(90, 130);
      expect(rates[2]).to.be.within(170, 230);
      // Mean of 20, 110 and 200.
      expect(result.requestedRatePerSecond).to.equal(110);
      expect(result.totals.sent).to.be.within(300, 360);
    });

    it('keeps exactly connections requests in flight in the closed model', async () => {
      // The server answers in batches every 25 ms; between batches the driver has refilled every connection,
      // so each batch is exactly the number of requests the driver keeps in flight.
      const waiting: (() => void)[] = [];
      const batches: number[] = [];
      server.setHandler((_req, res) => waiting.push(() => res.end('ok')));
      const ticker = setInterval(() => {
        if (waiting.length === 0) return;
        batches.push(waiting.length);
        waiting.splice(0).forEach((answer) => answer());
      }, 25);
      try {
        const result = await runLoad({ url: server.url, model: { kind: 'closed' }, connections: 8, durationMs: 1000 });
        expect(result.stopReason).to.equal('completed');
        expect(batches.length).to.be.greaterThan(10);
        expect(Math.max(...batches)).to.equal(8);
        expect(server.maxConcurrency).to.equal(8);
        const full = batches.filter((n) => n === 8).length;
        expect(full / batches.length).to.be.at.least(0.8);
        // No schedule: latency is measured from the actual send, so the two histograms are one.
        expect(result.latency.corrected).to.deep.equal(result.latency.uncorrected);
        expect(result.requestedRatePerSecond).to.equal(undefined);
      } finally {
        clearInterval(ticker);
        waiting.splice(0).forEach((answer) => answer());
      }
    });
  });

  describe('coordinated omission', () => {
    /** Every response is held while the server is stalled, as if it had frozen (GC pause, failover). */
    function stallOnceAfter(startAfterMs: number, stallMs: number): void {
      let stallStart: number | undefined;
      server.setHandler((_req, res) => {
        const now = performance.now();
        stallStart ??= now + startAfterMs;
        const stallEnd = stallStart + stallMs;
        if (now >= stallStart && now < stallEnd) setTimeout(() => res.end('ok'), stallEnd - now);
        else res.end('ok');
      });
    }

    it('charges a 500 ms stall to every request scheduled during it, unlike service time', async () => {
      stallOnceAfter(1000, 500);
      const result = await runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 200 }, connections: 2, durationMs: 3000 });
      const { corrected, uncorrected } = result.latency;
      expect(result.totals.errors).to.equal(0);
      // ~100 of ~600 requests were due during the stall and waited for it; only the two on the wire were served slowly.
      expect(corrected.p99).to.be.greaterThan(250);
      expect(corrected.max).to.be.greaterThan(400);
      expect(uncorrected.max).to.be.greaterThan(400);
      expect(corrected.p99).to.be.greaterThan(5 * uncorrected.p99);
      expect(corrected.p90).to.be.greaterThan(uncorrected.p90);
    });

    it('hands the request builder its schedule slot, which a stall does not move, and the actual send time', async () => {
      stallOnceAfter(300, 400);
      const timings: { intendedAt: number; dispatchedAt: number }[] = [];
      const result = await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 100 },
        connections: 1,
        durationMs: 1200,
        request: (_i, timing) => {
          timings.push(timing);
          return { path: '/' };
        },
      });
      expect(timings.length).to.equal(result.totals.sent);
      const first = timings[0]?.intendedAt as number;
      // Epoch ms, on the same clock as Date.now() give or take clock adjustments since the process started.
      expect(Math.abs(first - Date.now())).to.be.below(60_000);
      // Slots are 10 ms apart whatever happened to the requests before them.
      timings.forEach((t, i) => expect(t.intendedAt - first).to.be.closeTo(i * 10, 2));
      timings.forEach((t) => expect(t.dispatchedAt).to.be.at.least(t.intendedAt));
      // The requests due during the stall waited for the one connection: sent late, but still stamped with their slot.
      const lag = timings.map((t) => t.dispatchedAt - t.intendedAt);
      expect(Math.max(...lag)).to.be.greaterThan(250);
      expect(lag.filter((ms) => ms < 20).length, 'before the stall they went out on time').to.be.greaterThan(20);
    });

    it('shows the stall in the closed model only on the requests that met it (no schedule to correct against)', async () => {
      stallOnceAfter(500, 500);
      const result = await runLoad({ url: server.url, model: { kind: 'closed' }, connections: 2, durationMs: 2000 });
      expect(result.latency.corrected.p99).to.equal(result.latency.uncorrected.p99);
      expect(result.latency.uncorrected.max).to.be.greaterThan(400);
      expect(result.latency.uncorrected.p99).to.be.below(250);
    });
  });

  describe('errors', () => {
    it('classifies 500s by status and keeps them out of ok', async () => {
      server.setHandler((_req, res, n) => {
        res.statusCode = n % 4 === 0 ? 500 : 200;
        res.end();
      });
      const result = await runLoad({ url: server.url, model: { kind: 'closed' }, connections: 4, maxRequests: 200 });
      expect(result.totals.completed).to.equal(200);
      expect(result.totals.errorsByKind).to.deep.equal({ http_500: 50 });
      expect(result.totals).to.include({ ok: 150, errors: 50 });
      // Error responses are still answers: their latency counts.
      expect(result.latency.corrected.count).to.equal(200);
      expect(result.timeline.reduce((n, p) => n + p.errors, 0)).to.equal(50);
    });

    it('times out a request the server never answers, counts it, and keeps it in the latency at no less than the timeout', async () => {
      server.setHandler((req, res) => {
        if (req.url === '/hang') held.push(() => res.destroy());
        else res.end('ok');
      });
      const started = performance.now();
      const result = await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 50 },
        durationMs: 600,
        timeoutMs: 300,
        request: (i) => ({ path: i % 2 === 0 ? '/hang' : '/fast' }),
      });
      expect(result.totals.errorsByKind).to.have.keys('timeout');
      expect(result.totals.errorsByKind.timeout).to.be.within(13, 17);
      expect(result.totals.ok).to.be.within(13, 17);
      expect(result.totals.timeouts).to.equal(result.totals.errorsByKind.timeout);
      // Half the requests never answered: leaving them out would report the fast half as the whole story.
      expect(result.latency.corrected.count).to.equal(result.totals.ok + result.totals.timeouts);
      expect(result.latency.uncorrected.count).to.equal(result.totals.ok + result.totals.timeouts);
      expect(result.latency.corrected.p90).to.be.at.least(300);
      expect(result.latency.uncorrected.p90).to.be.at.least(300);
      expect(result.latency.corrected.p50, 'the fast half is still fast').to.be.below(300);
      expect(
        result.timeline.some((p) => (p.p99 ?? 0) >= 300),
        'the per-second p99 sees the timeouts too',
      ).to.equal(true);
      expect(result.totals.unfinished).to.equal(0);
      // Bounded: the schedule, then at most one timeout for the last requests, then a margin.
      expect(performance.now() - started).to.be.below(600 + 300 + 2000);
    });

    it('reports connection refused when nothing listens', async () => {
      const url = server.url;
      await server.stop();
      server = await startTestHttpServer();
      const result = await runLoad({ url, model: { kind: 'open', ratePerSecond: 100 }, durationMs: 500, timeoutMs: 1000 });
      expect(result.totals.sent).to.be.greaterThan(30);
      expect(result.totals.errorsByKind).to.deep.equal({ connection_refused: result.totals.sent });
      expect(result.totals.ok).to.equal(0);
      // Refused at once: such failures would flatter the percentiles, so they stay out (and are not timeouts).
      expect(result.latency.corrected.count).to.equal(0);
      expect(result.totals.timeouts).to.equal(0);
    });

    it('reports a reset when the server drops the connection mid-request', async () => {
      server.setHandler((req, res) => {
        if (req.url === '/drop') req.socket.destroy();
        else res.end('ok');
      });
      const result = await runLoad({
        url: server.url,
        model: { kind: 'closed' },
        connections: 2,
        maxRequests: 40,
        request: (i) => ({ path: i % 4 === 0 ? '/drop' : '/' }),
      });
      expect(Object.keys(result.totals.errorsByKind)).to.deep.equal(['reset']);
      expect(result.totals.errorsByKind.reset).to.equal(10);
      expect(result.totals.ok).to.equal(30);
    });

    it('lets a custom classifier judge the body', async () => {
      server.setHandler((_req, res, n) => res.end(n % 5 === 0 ? '{"ok":false}' : '{"ok":true}'));
      const result = await runLoad({
        url: server.url,
        model: { kind: 'closed' },
        connections: 1,
        maxRequests: 50,
        classify: (status, body) => (status !== 200 ? `http_${status}` : body.includes('"ok":true') ? undefined : 'bad_payload'),
      });
      expect(result.totals.errorsByKind).to.deep.equal({ bad_payload: 10 });
      expect(result.totals.ok).to.equal(40);
    });

    it('sends the method, path, headers and body the request function builds', async () => {
      const seen: string[] = [];
      server.setHandler((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          seen.push(`${req.method} ${req.url} ${req.headers['x-index']} ${Buffer.concat(chunks).toString()}`);
          res.end();
        });
      });
      const result = await runLoad({
        url: `${server.url}/v1.0/state/`,
        model: { kind: 'closed' },
        connections: 1,
        maxRequests: 2,
        request: (i) => ({
          method: 'POST',
          path: `/store`,
          headers: { 'content-type': 'application/json', 'x-index': String(i) },
          body: JSON.stringify([{ key: `k${i}` }]),
        }),
      });
      expect(result.totals.ok).to.equal(2);
      expect(seen).to.deep.equal(['POST /v1.0/state/store 0 [{"key":"k0"}]', 'POST /v1.0/state/store 1 [{"key":"k1"}]']);
    });

    it('fails the run when the request function throws, instead of counting it as the target’s error', async () => {
      let error: unknown;
      await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 100 },
        durationMs: 1000,
        request: (i) => {
          if (i === 5) throw new Error('scenario bug');
          return { path: '/' };
        },
      }).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.equal('scenario bug');
    });
  });

  describe('bounds', () => {
    it('never sends more than maxRequests (closed model)', async () => {
      const result = await runLoad({ url: server.url, model: { kind: 'closed' }, connections: 8, maxRequests: 50, durationMs: 10_000 });
      expect(result.stopReason).to.equal('maxRequests');
      expect(result.partial).to.equal(false);
      expect(result.totals.sent).to.equal(50);
      expect(server.received).to.equal(50);
    });

    it('stops an open model at maxRequests well before its duration', async () => {
      const started = performance.now();
      const result = await runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 100 }, maxRequests: 30, durationMs: 20_000 });
      expect(result.stopReason).to.equal('maxRequests');
      expect(server.received).to.equal(30);
      expect(result.measuredMs).to.be.below(2000);
      expect(performance.now() - started).to.be.below(5000);
    });

    it('ends at durationMs', async () => {
      const started = performance.now();
      const result = await runLoad({ url: server.url, model: { kind: 'closed' }, connections: 2, durationMs: 800 });
      const elapsed = performance.now() - started;
      expect(result.stopReason).to.equal('completed');
      expect(result.measuredMs).to.be.within(780, 900);
      expect(elapsed).to.be.at.least(780);
      expect(elapsed).to.be.below(800 + 2000);
    });

    it('ends a drain that would outlast the hard deadline with a complete result that counts the backlog as unfinished', async () => {
      // One connection, 200 ms per answer, 100 arrivals a second: the queue needs ~20 s to drain, the deadline
      // (duration + timeout + grace) allows 1 s + 400 ms + 100 ms.
      server.setHandler((_req, res) => setTimeout(() => res.end('ok'), 200));
      const started = performance.now();
      const result = await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 100 },
        connections: 1,
        durationMs: 1000,
        timeoutMs: 400,
        abortGraceMs: 100,
      });
      expect(performance.now() - started).to.be.below(1500 + 2000);
      expect(result.stopReason).to.equal('deadline');
      expect(result.partial).to.equal(false);
      expect(result.totals.unfinished).to.be.greaterThan(50);
      expect(result.totals.completed).to.be.within(3, 10);
      expect(result.totals.errors).to.equal(0);
      // Queued requests waited for the one connection: the corrected figures show it, service time does not.
      expect(result.latency.corrected.max).to.be.greaterThan(600);
      expect(result.latency.uncorrected.max).to.be.below(400);
    });

    it('drops arrivals beyond maxInFlight, says so, and counts them against success', async () => {
      server.setHandler((_req, res) => held.push(() => res.end('late')));
      const result = await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 200 },
        durationMs: 500,
        maxInFlight: 10,
        timeoutMs: 2000,
      });
      expect(result.totals.sent).to.equal(10);
      expect(result.totals.dropped).to.be.within(80, 100);
      expect(result.timeline.reduce((n, p) => n + p.dropped, 0)).to.equal(result.totals.dropped);
      expect(result.totals.errorsByKind).to.deep.equal({ timeout: 10 });
    });
  });

  describe('abort', () => {
    it('stops scheduling at once and returns partial results after a bounded grace', async () => {
      server.setHandler((req, res) => {
        if (req.url === '/hang') held.push(() => res.end('late'));
        else res.end('ok');
      });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 500);
      const started = performance.now();
      const result = await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 100 },
        durationMs: 60_000,
        timeoutMs: 30_000,
        abortGraceMs: 300,
        signal: controller.signal,
        request: (i) => ({ path: i % 10 === 0 ? '/hang' : '/' }),
      });
      const elapsed = performance.now() - started;
      expect(result.partial).to.equal(true);
      expect(result.stopReason).to.equal('aborted');
      expect(elapsed).to.be.below(500 + 300 + 2000);
      expect(result.totals.sent).to.be.within(30, 70);
      expect(result.totals.unfinished).to.be.greaterThan(0);
      expect(result.totals.completed + result.totals.unfinished).to.equal(result.totals.sent);
      expect(result.totals.ok).to.equal(result.totals.completed);
      const receivedAtReturn = server.received;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(server.received, 'nothing is sent after the run returned').to.equal(receivedAtReturn);
    });

    it('waits for in-flight requests that finish within the grace', async () => {
      server.setHandler((_req, res) => setTimeout(() => res.end('ok'), 100));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const result = await runLoad({
        url: server.url,
        model: { kind: 'closed' },
        connections: 4,
        durationMs: 60_000,
        abortGraceMs: 3000,
        signal: controller.signal,
      });
      expect(result.partial).to.equal(true);
      expect(result.totals.unfinished).to.equal(0);
      expect(result.totals.ok).to.equal(result.totals.sent);
      expect(server.received).to.equal(result.totals.sent);
    });

    it('returns an empty partial result for a signal aborted before the start', async () => {
      const result = await runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 100 }, signal: AbortSignal.abort() });
      expect(result.partial).to.equal(true);
      expect(result.totals.sent).to.equal(0);
      expect(server.received).to.equal(0);
    });
  });

  describe('warm-up and progress', () => {
    it('excludes warm-up traffic from every figure', async () => {
      let firstAt: number | undefined;
      server.setHandler((_req, res) => {
        firstAt ??= performance.now();
        // Slow only at first, like a cold JIT or an empty connection pool on the target.
        if (performance.now() - firstAt < 300) setTimeout(() => res.end('ok'), 400);
        else res.end('ok');
      });
      const result = await runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 100 }, warmupMs: 1200, durationMs: 1000 });
      expect(result.warmup.sent).to.be.within(100, 140);
      expect(result.totals.sent).to.be.within(85, 115);
      expect(server.received).to.equal(result.warmup.sent + result.totals.sent);
      expect(result.latency.corrected.count).to.equal(result.totals.ok);
      expect(result.latency.corrected.max).to.be.below(300);
      expect(result.timeline[0]?.t).to.equal(0);
      expect(result.timeline.reduce((n, p) => n + p.requests, 0)).to.equal(result.totals.completed);
    });

    it('counts the slow start when there is no warm-up (the previous test can fail)', async () => {
      let firstAt: number | undefined;
      server.setHandler((_req, res) => {
        firstAt ??= performance.now();
        if (performance.now() - firstAt < 300) setTimeout(() => res.end('ok'), 400);
        else res.end('ok');
      });
      const result = await runLoad({ url: server.url, model: { kind: 'open', ratePerSecond: 100 }, durationMs: 1000 });
      expect(result.latency.corrected.max).to.be.greaterThan(350);
    });

    it('reports progress at most once per second', async () => {
      const snapshots: { at: number; s: ProgressSnapshot }[] = [];
      server.setHandler(answerOk);
      await runLoad({
        url: server.url,
        model: { kind: 'open', ratePerSecond: 50 },
        warmupMs: 500,
        durationMs: 2000,
        onProgress: (s) => snapshots.push({ at: performance.now(), s }),
      });
      expect(snapshots.length).to.be.within(1, 3);
      for (let i = 1; i < snapshots.length; i++) expect((snapshots[i]?.at ?? 0) - (snapshots[i - 1]?.at ?? 0)).to.be.at.least(900);
      const last = snapshots[snapshots.length - 1]?.s;
      expect(last?.phase).to.equal('run');
      expect(last?.sent).to.be.greaterThan(0);
      expect(last?.ratePerSecond).to.be.within(35, 65);
    });
  });
});
