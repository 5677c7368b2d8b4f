import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { durationMs, formatGoDuration, parseDaprDuration, parseGoDuration } from './duration';

function ms(text: string): number {
  const parsed = parseGoDuration(text);
  if (!parsed.ok) throw new Error(`expected ${text} to parse: ${parsed.reason}`);
  return parsed.ms;
}

function reason(value: unknown, parse: (v: never) => ReturnType<typeof parseGoDuration> = parseDaprDuration): string {
  const parsed = parse(value as never);
  if (parsed.ok) throw new Error(`expected ${String(value)} to be rejected, got ${parsed.ms}ms`);
  return parsed.reason;
}

describe('Go-style durations', () => {
  it('reads the forms the Resiliency docs use', () => {
    expect(ms('5s')).to.equal(5000);
    expect(ms('100ms')).to.equal(100);
    expect(ms('200ms')).to.equal(200);
    expect(ms('1m30s')).to.equal(90_000);
    expect(ms('1h')).to.equal(3_600_000);
    expect(ms('1h30m')).to.equal(5_400_000);
    expect(ms('2m')).to.equal(120_000);
  });

  it('reads fractions, sub-millisecond units, signs and a lone zero as Go does', () => {
    expect(ms('1.5s')).to.equal(1500);
    expect(ms('.5s')).to.equal(500);
    expect(ms('5.s')).to.equal(5000);
    expect(ms('1.5h')).to.equal(5_400_000);
    expect(ms('250us')).to.be.closeTo(0.25, 1e-12);
    expect(ms('250µs')).to.be.closeTo(0.25, 1e-12);
    expect(ms('250μs')).to.be.closeTo(0.25, 1e-12);
    expect(ms('1500000ns')).to.be.closeTo(1.5, 1e-9);
    expect(ms('0')).to.equal(0);
    expect(ms('+5s')).to.equal(5000);
    expect(ms('-5s')).to.equal(-5000);
    expect(ms('1h1m1s1ms')).to.equal(3_661_001);
  });

  it('rejects what Go rejects, saying why', () => {
    expect(reason('5', parseGoDuration)).to.contain('missing a unit');
    expect(reason('5 s', parseGoDuration)).to.contain('unknown unit " s"');
    expect(reason('5sec', parseGoDuration)).to.contain('unknown unit "sec"');
    expect(reason('5d', parseGoDuration)).to.contain('unknown unit "d"');
    expect(reason('', parseGoDuration)).to.contain('empty');
    expect(reason('-', parseGoDuration)).to.contain('no number');
    expect(reason('.s', parseGoDuration)).to.contain('not a number');
    expect(reason('s', parseGoDuration)).to.contain('not a number');
    expect(reason('timeout1', parseGoDuration)).to.contain('not a number');
    expect(reason('1s 2s', parseGoDuration)).to.contain('unknown unit "s "');
    expect(reason('3000000h', parseGoDuration)).to.contain('longer than');
  });
});

describe('Dapr Resiliency durations', () => {
  it("treats a bare integer (string or YAML number) as milliseconds, like Dapr's decoder", () => {
    expect(parseDaprDuration('500')).to.deep.equal({ ok: true, ms: 500 });
    expect(parseDaprDuration(500)).to.deep.equal({ ok: true, ms: 500 });
    expect(parseDaprDuration('0')).to.deep.equal({ ok: true, ms: 0 });
    expect(parseDaprDuration('5s')).to.deep.equal({ ok: true, ms: 5000 });
  });

  it('rejects fractional numbers, non-strings and bad text', () => {
    expect(reason(1.5)).to.contain('without a unit');
    expect(reason(true)).to.contain('boolean true');
    expect(reason({ seconds: 5 })).to.contain('a mapping');
    expect(reason(null)).to.contain('nothing');
    expect(reason('five seconds')).to.contain('not a number');
  });

  it('throws a usage error naming the field and the fix', () => {
    try {
      durationMs('5 s', 'retries.fast.duration');
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(HarnessError);
      const e = err as HarnessError;
      expect(e.kind).to.equal('usage');
      expect(e.message).to.contain('retries.fast.duration').and.contain('unknown unit');
      expect(e.hint).to.contain('1m30s');
    }
  });
});

describe('formatting durations for reports', () => {
  it('writes Go-style strings', () => {
    expect(formatGoDuration(0)).to.equal('0s');
    expect(formatGoDuration(500)).to.equal('500ms');
    expect(formatGoDuration(1500)).to.equal('1.5s');
    expect(formatGoDuration(5000)).to.equal('5s');
    expect(formatGoDuration(90_000)).to.equal('1m30s');
    expect(formatGoDuration(3_600_000)).to.equal('1h0m0s');
    expect(formatGoDuration(0.25)).to.equal('250µs');
    expect(formatGoDuration(-5000)).to.equal('-5s');
    expect(formatGoDuration(Infinity)).to.equal('forever');
  });

  it('round-trips through the parser', () => {
    for (const value of [1, 750, 1125, 15_000, 61_500, 5_400_000]) expect(ms(formatGoDuration(value))).to.equal(value);
  });
});
