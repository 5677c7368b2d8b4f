import { expect } from 'chai';
import { createService } from '../service';
import { call, quietLogs, serve, type Served } from '../../../test/support/sut-apps/serve';
import { FaultState } from './fault-state';
import { CRASH_EXIT_CODE } from './fault-controls';

interface CallLogBody {
  key: string | null;
  count: number;
  calls: { time: string; method: string; path: string; status: number; attempt: number }[];
}

describe('fault controls and injection (over HTTP)', () => {
  let served: Served;
  let faults: FaultState;
  let exits: number[];
  let slept: number[];
  const quiet = quietLogs();
  before(quiet.before);
  after(quiet.after);

  beforeEach(async () => {
    faults = new FaultState();
    exits = [];
    slept = [];
    const app = createService({
      faults,
      faultControl: { exit: (code) => exits.push(code) },
      faultInjection: { sleep: async (ms) => void slept.push(ms) },
      routes: (a) => {
        a.all('/work{/*rest}', (_req, res) => {
          res.json({ worked: true });
        });
      },
    });
    served = await serve(app);
  });

  afterEach(async () => {
    await served.close();
  });

  it('fails the next N calls with the fault key, then lets calls through; the call log shows each one', async () => {
    const set = await call(`${served.url}/faults/calls`, { json: { key: 'k1', count: 2, status: 503 } });
    expect(set.status).to.equal(200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(`${served.url}/work/a?q=1`, { headers: { 'x-fault-key': 'k1' } })).status);
    expect(statuses).to.deep.equal([503, 503, 200]);
    const other = await call(`${served.url}/work`, { headers: { 'x-fault-key': 'k2' } });
    expect(other.status, 'a different key is not faulted').to.equal(200);

    const log = await call<CallLogBody>(`${served.url}/faults/calllog?key=k1`);
    expect(log.body.key).to.equal('k1');
    expect(log.body.count).to.equal(3);
    expect(log.body.calls.map((c) => [c.status, c.attempt, c.method, c.path])).to.deep.equal([
      [503, 1, 'GET', '/work/a'],
      [503, 2, 'GET', '/work/a'],
      [200, 3, 'GET', '/work/a'],
    ]);
    expect(Number.isNaN(Date.parse(log.body.calls[0]?.time ?? '')), 'time is an ISO date').to.equal(false);
  });

  it('answers a faulted call with a JSON body naming the fault, after its delay', async () => {
    await call(`${served.url}/faults/calls`, { json: { count: 1, status: 500, delayMs: 40 } });
    const res = await call<{ error: string; status: number }>(`${served.url}/work`);
    expect(res.status).to.equal(500);
    expect(res.body).to.include({ error: 'injected fault', status: 500 });
    expect(slept).to.deep.equal([40]);
  });

  it('delays matching calls and then handles them normally', async () => {
    await call(`${served.url}/faults/delay`, { json: { key: 'slow', delayMs: 250, count: 1 } });
    const res = await call(`${served.url}/work`, { headers: { 'x-fault-key': 'slow' } });
    expect(res.status).to.equal(200);
    expect(slept).to.deep.equal([250]);
    await call(`${served.url}/work`, { headers: { 'x-fault-key': 'slow' } });
    expect(slept, 'count 1: only one call delayed').to.deep.equal([250]);
  });

  it('never faults the controls, health, /dapr or the ledger', async () => {
    await call(`${served.url}/faults/calls`, { json: { count: 100, status: 500 } });
    expect((await call(`${served.url}/healthz`)).status).to.equal(200);
    expect((await call(`${served.url}/faults`)).status).to.equal(200);
    expect((await call(`${served.url}/faults/calllog`)).status).to.equal(200);
    expect((await call(`${served.url}/dapr/subscribe`)).status, 'not faulted: reaches the 404 of a service without it').to.equal(404);
    expect((await call(`${served.url}/work`)).status).to.equal(500);
  });

  it('DELETE /faults clears faults and call logs', async () => {
    await call(`${served.url}/faults/calls`, { json: { count: 5, status: 500 } });
    await call(`${served.url}/work`, { headers: { 'x-fault-key': 'k' } });
    const cleared = await call<{ cleared: { faults: number; calls: number } }>(`${served.url}/faults`, { method: 'DELETE' });
    expect(cleared.body.cleared).to.deep.equal({ faults: 1, calls: 1 });
    expect((await call(`${served.url}/work`)).status).to.equal(200);
    expect((await call<CallLogBody>(`${served.url}/faults/calllog?key=k`)).body.count).to.equal(0);
  });

  it('lists active faults, an unbounded count as null', async () => {
    await call(`${served.url}/faults/delay`, { json: { delayMs: 10 } });
    await call(`${served.url}/faults/pubsub`, { json: { topic: 't', mode: 'DROP', fraction: 0.5 } });
    const res = await call<{ delays: { remaining: number | null }[]; pubsub: { mode: string; remaining: number | null }[] }>(
      `${served.url}/faults`,
    );
    expect(res.body.delays[0]?.remaining).to.equal(null);
    expect(res.body.pubsub[0]).to.include({ mode: 'DROP', remaining: null });
  });

  it("crash answers 202, then exits with the crash code (86, not a real failure's 1)", async () => {
    const res = await call(`${served.url}/faults/crash`, { method: 'POST' });
    expect(res.status).to.equal(202);
    const deadline = Date.now() + 2000;
    while (exits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(exits).to.deep.equal([CRASH_EXIT_CODE]);
    expect(CRASH_EXIT_CODE).to.equal(86);
  });

  describe('refuses bad fault requests with the problem and an example', () => {
    const cases: [string, unknown, RegExp][] = [
      ['/faults/calls', { count: 0 }, /count must be a whole number from 1/],
      ['/faults/calls', { count: 1, status: 99 }, /status must be a whole number from 200 to 599/],
      ['/faults/calls', { count: 1, key: '' }, /key must be a non-empty string/],
      ['/faults/calls', { count: 1, delayMs: -1 }, /delayMs/],
      ['/faults/delay', { count: 1 }, /delayMs must be a whole number/],
      ['/faults/pubsub', { mode: 'LATER', count: 1 }, /mode must be "RETRY" or "DROP"/],
      ['/faults/pubsub', { mode: 'DROP' }, /needs count or fraction/],
      ['/faults/pubsub', { mode: 'DROP', fraction: 1.5 }, /fraction must be a number from 0 to 1/],
      ['/faults/calls', [1, 2], /expected a JSON object body/],
    ];
    for (const [path, body, problem] of cases) {
      it(`${path} ${JSON.stringify(body)}`, async () => {
        const res = await call<{ error: string; hint: string }>(`${served.url}${path}`, { json: body });
        expect(res.status).to.equal(400);
        expect(res.body.error).to.match(problem);
        expect(res.body.hint).to.match(/^send e\.g\. /);
      });
    }

    it('a body that is not JSON', async () => {
      const res = await fetch(`${served.url}/faults/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{nope',
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.match(/not valid JSON/);
    });
  });

  it('unknown routes answer a JSON 404 naming the route', async () => {
    const res = await call<{ error: string }>(`${served.url}/nowhere`);
    expect(res.status).to.equal(404);
    expect(res.body.error).to.equal('no route for GET /nowhere');
  });
});
