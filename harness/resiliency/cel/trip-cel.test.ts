import { isCelError } from '@bufbuild/cel';
import { expect } from 'chai';
import { evaluateTripCel, parseTripCel, TripSyntaxError, tripsAt, type BreakerCounts } from './trip-cel';

const counts = (partial: Partial<BreakerCounts>): BreakerCounts => ({
  requests: 0,
  totalSuccesses: 0,
  totalFailures: 0,
  consecutiveSuccesses: 0,
  consecutiveFailures: 0,
  ...partial,
});

const value = (source: string, c: BreakerCounts = counts({})) => evaluateTripCel(parseTripCel(source), c);
const errorOf = (source: string, c: BreakerCounts = counts({})): string => {
  const out = value(source, c);
  if (!isCelError(out)) throw new Error(`expected "${source}" to error, got ${String(out)}`);
  return out.message;
};

describe('trip conditions on @bufbuild/cel', () => {
  it('binds the counters as CEL ints, as daprd binds int64', () => {
    expect(value('consecutiveFailures', counts({ consecutiveFailures: 7 }))).to.equal(7n);
    expect(value('totalFailures / 2', counts({ totalFailures: 3 }))).to.equal(1n);
    expect(value('-7 / 2')).to.equal(-3n);
    expect(value('-7 % 3')).to.equal(-1n);
    // gobreaker's counts are uint32; the largest still binds exactly.
    expect(value('requests + 1', counts({ requests: 4_294_967_295 }))).to.equal(4_294_967_296n);
  });

  it('raises CEL errors for int64 overflow, division by zero and missing overloads', () => {
    expect(
      errorOf('consecutiveFailures * consecutiveFailures * consecutiveFailures > 0', counts({ consecutiveFailures: 4_294_967_295 })),
    ).to.contain('overflow');
    expect(errorOf('9223372036854775807 + requests > 0', counts({ requests: 1 }))).to.contain('overflow');
    expect(errorOf('totalFailures / requests > 0')).to.contain('divide by zero');
    expect(errorOf('totalFailures % requests > 0')).to.contain('modulus by zero');
    expect(errorOf('consecutiveFailures + 1.5 > 3')).to.contain('no matching overload');
    expect(errorOf('3 % 0')).to.contain('modulus by zero');
    expect(errorOf('1.5 % 1.0')).to.contain('no matching overload');
    expect(errorOf('0u - 1u')).to.contain('overflow');
    expect(errorOf('"a" < 1')).to.contain('no matching overload');
    expect(errorOf('!requests')).to.contain('no matching overload');
  });

  it('evaluates the rest of standard CEL: doubles, size(), lists and macros', () => {
    expect(value('double(totalFailures) / double(requests)', counts({ totalFailures: 1, requests: 4 }))).to.equal(0.25);
    expect(value('size([1, 2]) < consecutiveFailures', counts({ consecutiveFailures: 3 }))).to.equal(true);
    expect(value('consecutiveFailures in [2, 4]', counts({ consecutiveFailures: 4 }))).to.equal(true);
    expect(value('[3, 7].exists(n, n == consecutiveFailures)', counts({ consecutiveFailures: 7 }))).to.equal(true);
  });

  it('trips only on true: an error or a value that is not a boolean means "do not trip", as in daprd', () => {
    expect(tripsAt(parseTripCel('requests > 5 && totalFailures * 2 > requests'), counts({ requests: 10, totalFailures: 6 }))).to.equal(
      true,
    );
    expect(tripsAt(parseTripCel('requests > 5 && totalFailures * 2 > requests'), counts({ requests: 10, totalFailures: 5 }))).to.equal(
      false,
    );
    expect(tripsAt(parseTripCel('totalFailures / requests > 0'), counts({}))).to.equal(false);
    expect(tripsAt(parseTripCel('consecutiveFailures'), counts({ consecutiveFailures: 9 }))).to.equal(false);
    expect(tripsAt(parseTripCel('nope > 3'), counts({}))).to.equal(false);
  });

  it('absorbs an error in && and || when the other side decides, whichever side it is on', () => {
    expect(value('totalFailures / requests > 0 || true')).to.equal(true);
    expect(value('true || totalFailures / requests > 0')).to.equal(true);
    expect(value('totalFailures / requests > 0 && false')).to.equal(false);
    expect(isCelError(value('totalFailures / requests > 0 && true'))).to.equal(true);
  });

  it('compares and equates across int, uint and double at run time, as cel-go does', () => {
    expect(value('consecutiveFailures > 2.5', counts({ consecutiveFailures: 3 }))).to.equal(true);
    expect(value('consecutiveFailures == 3u', counts({ consecutiveFailures: 3 }))).to.equal(true);
    expect(value('consecutiveFailures == 3.0', counts({ consecutiveFailures: 3 }))).to.equal(true);
  });

  it('reports a syntax error with its column', () => {
    expect(() => parseTripCel('consecutiveFailures > 5)')).to.throw(TripSyntaxError, 'column 24');
    const e = (() => {
      try {
        parseTripCel('(consecutiveFailures > 5');
      } catch (err) {
        return err as TripSyntaxError;
      }
      throw new Error('expected a syntax error');
    })();
    expect(e.column).to.equal(25);
    expect(e.what).to.contain("expecting ')'");
  });
});
