import { expect } from 'chai';
import { parseTripCel } from './trip-cel';
import { checkTrip, type TripProblem } from './trip-check';

const check = (source: string) => checkTrip(parseTripCel(source));
const describeProblem = (p: TripProblem): string => {
  switch (p.kind) {
    case 'unknown-identifier':
    case 'unknown-function':
      return `${p.kind} ${p.name}`;
    case 'not-a-condition':
      return `${p.kind} ${p.operator} ${p.found.toString()}`;
    case 'condition-as-number':
      return `${p.kind} ${p.operator}`;
    case 'no-overload':
      return `${p.kind} ${p.operator} (${p.args.map(String).join(', ')})`;
    case 'no-field':
      return `${p.kind} ${p.field} of ${p.of.toString()}`;
  }
};
const problems = (source: string) => check(source).problems.map(describeProblem);
const loadProblems = (source: string) => check(source).loadProblems.map(describeProblem);

describe('type check of trip conditions against the CEL declarations', () => {
  it('types a condition as bool and lists the counters it reads in order', () => {
    const c = check('requests > 3 && totalFailures > 1 && requests < 100');
    expect(c.type.toString()).to.equal('bool');
    expect(c.variables).to.deep.equal(['requests', 'totalFailures']);
    expect(c.problems).to.deep.equal([]);
    expect(c.loadProblems).to.deep.equal([]);
  });

  it('types values that are not conditions by what they are', () => {
    expect(check('consecutiveFailures').type.toString()).to.equal('int');
    expect(check('consecutiveFailures + 5').type.toString()).to.equal('int');
    expect(check('double(totalFailures) / double(requests)').type.toString()).to.equal('double');
    expect(check('"open"').type.toString()).to.equal('string');
    expect(check('[true][0]').type.toString()).to.equal('bool');
  });

  it('names identifiers that are not counters, but not the variables of a macro', () => {
    expect(problems('consecutiveFailure > 5')).to.deep.equal(['unknown-identifier consecutiveFailure']);
    expect(problems('[1, 2].exists(x, x > requests)')).to.deep.equal([]);
    expect(check('[1, 2].exists(x, x > requests)').variables).to.deep.equal(['requests']);
    // daprd declares unknown identifiers as dyn, so they do not stop it loading.
    expect(loadProblems('consecutiveFailure > 5')).to.deep.equal([]);
  });

  it('finds what has no overload when it runs, counters being ints', () => {
    expect(problems('consecutiveFailures + 1.5 > 3')).to.deep.equal(['no-overload + (int, double)']);
    expect(problems('totalFailures / 2.0 > 3')).to.deep.equal(['no-overload / (int, double)']);
    expect(problems('consecutiveFailures && requests > 3')).to.deep.equal(['not-a-condition && int']);
    expect(problems('!consecutiveFailures')).to.deep.equal(['not-a-condition ! int']);
    expect(problems('consecutiveFailures > 5 > 3')).to.deep.equal(['condition-as-number >']);
    expect(problems('(requests > 2) + 1 > 0')).to.deep.equal(['condition-as-number +']);
    expect(problems('requests.count > 0')).to.deep.equal(['no-field count of int']);
    expect(problems('foo(requests)')).to.deep.equal(['unknown-function foo']);
  });

  it('accepts what CEL settles at run time: comparisons and equality across numeric types', () => {
    for (const ok of [
      'consecutiveFailures > 2.5',
      'consecutiveFailures == 3u',
      'consecutiveFailures in [2, 4]',
      'size([1]) < requests',
      'double(totalFailures) >= 2.5',
    ]) {
      expect(problems(ok), ok).to.deep.equal([]);
      expect(loadProblems(ok), ok).to.deep.equal([]);
    }
  });

  it("finds what cel-go's checker rejects when daprd loads it with every identifier dyn", () => {
    expect(loadProblems('consecutiveFailures + (true ? 1.5 : 1) > 3')).to.deep.equal(['no-overload ? : (bool, double, int)']);
    expect(problems('consecutiveFailures + (true ? 1.5 : 1) > 3')).to.deep.equal([]);
    expect(loadProblems('(requests > 1) == 1')).to.deep.equal(['no-overload == (bool, int)']);
    expect(loadProblems('1.0 == 1 || requests > 2')).to.deep.equal(['no-overload == (double, int)']);
    expect(loadProblems('2.5 < 3 || requests > 2')).to.deep.equal(['no-overload < (double, int)']);
    // dyn + double is double, and double > int has no overload without cross-type comparisons.
    expect(loadProblems('consecutiveFailures + 1.5 > 3')).to.deep.equal(['no-overload > (double, int)']);
  });
});
