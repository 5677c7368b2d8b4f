import { expect } from 'chai';
import { HarnessError } from '../errors/harness-error';
import { parseCel } from './trip-syntax';

function rejection(source: string): HarnessError {
  try {
    parseCel(source);
  } catch (err) {
    expect(err).to.be.instanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error(`expected "${source}" to be rejected`);
}

describe('CEL syntax of trip conditions', () => {
  it('binds && tighter than || and comparisons tighter than both', () => {
    expect(parseCel('a > 1 || b > 2 && c > 3')).to.deep.equal({
      type: 'binary',
      op: '||',
      left: { type: 'binary', op: '>', left: { type: 'ident', name: 'a' }, right: { type: 'literal', value: { t: 'int', v: 1 } } },
      right: {
        type: 'binary',
        op: '&&',
        left: { type: 'binary', op: '>', left: { type: 'ident', name: 'b' }, right: { type: 'literal', value: { t: 'int', v: 2 } } },
        right: { type: 'binary', op: '>', left: { type: 'ident', name: 'c' }, right: { type: 'literal', value: { t: 'int', v: 3 } } },
      },
    });
  });

  it('binds * tighter than + and folds a minus into a number', () => {
    expect(parseCel('a + 2 * b > -3')).to.deep.equal({
      type: 'binary',
      op: '>',
      left: { type: 'binary', op: '+', left: { type: 'ident', name: 'a' }, right: { type: 'binary', op: '*', left: { type: 'literal', value: { t: 'int', v: 2 } }, right: { type: 'ident', name: 'b' } } },
      right: { type: 'literal', value: { t: 'int', v: -3 } },
    });
  });

  it('reads CEL literals: hex, unsigned, doubles, strings, booleans, null and lists', () => {
    expect(parseCel('0x1F')).to.deep.equal({ type: 'literal', value: { t: 'int', v: 31 } });
    expect(parseCel('5u')).to.deep.equal({ type: 'literal', value: { t: 'uint', v: 5 } });
    expect(parseCel('2.5e1')).to.deep.equal({ type: 'literal', value: { t: 'double', v: 25 } });
    expect(parseCel('.5')).to.deep.equal({ type: 'literal', value: { t: 'double', v: 0.5 } });
    expect(parseCel('"a\\"b"')).to.deep.equal({ type: 'literal', value: { t: 'string', v: 'a"b' } });
    expect(parseCel('true')).to.deep.equal({ type: 'literal', value: { t: 'bool', v: true } });
    expect(parseCel('null')).to.deep.equal({ type: 'literal', value: { t: 'null' } });
    expect(parseCel('[1, 2,]')).to.deep.equal({ type: 'list', items: [{ type: 'literal', value: { t: 'int', v: 1 } }, { type: 'literal', value: { t: 'int', v: 2 } }] });
  });

  it('reads calls, field selection, indexing, "in" and the ternary', () => {
    expect(parseCel('double(x)')).to.deep.equal({ type: 'call', name: 'double', args: [{ type: 'ident', name: 'x' }] });
    expect(parseCel('a.b.size()')).to.deep.equal({ type: 'call', name: 'size', target: { type: 'select', operand: { type: 'ident', name: 'a' }, field: 'b' }, args: [] });
    expect(parseCel('l[0]').type).to.equal('index');
    expect(parseCel('x in [1]')).to.include({ type: 'binary', op: 'in' });
    expect(parseCel('a ? b : c ? d : e')).to.deep.include({ type: 'conditional', test: { type: 'ident', name: 'a' } });
  });

  it('rejects syntax errors with the column', () => {
    expect(rejection('consecutiveFailures >').message).to.contain('expected a value but found the end');
    expect(rejection('consecutiveFailures > 5)').message).to.contain('unexpected ")"');
    expect(rejection('(consecutiveFailures > 5').message).to.contain('expected ")"');
    expect(rejection('consecutiveFailures >> 5').message).to.contain('column 22');
    expect(rejection('consecutiveFailures > 5 and requests > 2').message).to.contain('unexpected "and"');
    expect(rejection('consecutiveFailures # 5').message).to.contain('unexpected character "#"');
    expect(rejection('consecutiveFailures > "5').message).to.contain('not closed');
    expect(rejection('a ? b').message).to.contain('expected ":"');
    expect(rejection('{}').message).to.contain('map literals');
    const e = rejection('a >');
    expect(e.code).to.equal('resiliency.invalid-trip');
    expect(e.hint).to.contain('consecutiveFailures > 5');
  });
});
