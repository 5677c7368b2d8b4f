import { expect } from 'chai';
import { HarnessError } from '../../harness/errors/harness-error';
import { DRIVER_DEFAULTS, resolveDriverOptions, type DriverOptions } from './driver-options';

const base: DriverOptions = { url: 'http://127.0.0.1:3500', model: { kind: 'open', ratePerSecond: 100 } };

function rejection(options: Partial<DriverOptions> | Record<string, unknown>): HarnessError {
  try {
    resolveDriverOptions({ ...base, ...options } as DriverOptions);
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('driver options', () => {
  it('fills in the documented defaults', () => {
    const o = resolveDriverOptions(base);
    expect(o).to.include({
      connections: DRIVER_DEFAULTS.connections,
      pipelining: 1,
      durationMs: 10_000,
      warmupMs: 0,
      maxRequests: 10_000_000,
      maxInFlight: 10_000,
      timeoutMs: 10_000,
      abortGraceMs: 5_000,
    });
    expect(DRIVER_DEFAULTS.connections).to.equal(16);
    expect(o.request(7, { intendedAt: 0, dispatchedAt: 0 })).to.deep.equal({ method: 'GET', path: '' });
    expect(o.classify).to.equal(undefined);
    expect(o.hardDeadlineMs).to.equal(0 + 10_000 + 10_000 + 5_000);
  });

  it('takes a ramping duration from its stages, capped by durationMs when given', () => {
    const stages = [
      { durationMs: 1000, targetRatePerSecond: 10 },
      { durationMs: 2000, targetRatePerSecond: 50 },
    ];
    expect(resolveDriverOptions({ ...base, model: { kind: 'ramping', stages } }).durationMs).to.equal(3000);
    expect(resolveDriverOptions({ ...base, model: { kind: 'ramping', stages }, durationMs: 1500 }).durationMs).to.equal(1500);
    expect(resolveDriverOptions({ ...base, model: { kind: 'ramping', stages } }).model).to.deep.include({ startRatePerSecond: 0 });
  });

  it('refuses bad numbers with a one-line error naming the option and the fix', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ connections: 0 }, 'connections'],
      [{ connections: 2.5 }, 'connections'],
      [{ pipelining: -1 }, 'pipelining'],
      [{ durationMs: 0 }, 'durationMs'],
      [{ warmupMs: -5 }, 'warmupMs'],
      [{ timeoutMs: Number.NaN }, 'timeoutMs'],
      [{ maxRequests: 0 }, 'maxRequests'],
      [{ maxInFlight: 0 }, 'maxInFlight'],
      [{ model: { kind: 'open', ratePerSecond: 0 } }, 'model.ratePerSecond'],
      [{ model: { kind: 'open', ratePerSecond: Infinity } }, 'model.ratePerSecond'],
      [{ model: { kind: 'ramping', stages: [] } }, 'model.stages'],
      [{ model: { kind: 'ramping', stages: [{ durationMs: 1000 }] } }, 'model.stages[0].targetRatePerSecond'],
      [{ model: { kind: 'ramping', stages: [{ durationMs: -1, targetRatePerSecond: 5 }] } }, 'model.stages[0].durationMs'],
      [{ model: { kind: 'burst' } }, 'model.kind'],
      [{ model: undefined }, 'model'],
      [{ request: 'GET /' }, 'request'],
      [{ classify: 500 }, 'classify'],
    ];
    for (const [options, name] of cases) {
      const err = rejection(options);
      expect(err.code, name).to.equal('LOAD_INVALID_OPTION');
      expect(err.kind).to.equal('usage');
      expect(err.message, name).to.contain(`load option ${name} `);
      expect(err.hint, name).to.match(/^give /);
      expect(err.oneLine()).to.not.contain('\n');
    }
  });

  it('refuses URLs that are not http(s)', () => {
    expect(rejection({ url: 'not a url' }).code).to.equal('LOAD_INVALID_URL');
    expect(rejection({ url: 'ftp://127.0.0.1/' }).code).to.equal('LOAD_INVALID_URL');
  });
});
