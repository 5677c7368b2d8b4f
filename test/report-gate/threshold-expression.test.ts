import { expect } from 'chai';
import { compare, parseThreshold, type Threshold } from '../../harness/gate/threshold-expression';

function parsed(text: string): Threshold {
  const t = parseThreshold(text);
  if (typeof t === 'string') throw new Error(`expected '${text}' to parse, got: ${t}`);
  return t;
}

describe('threshold expressions', () => {
  it('parses every operator', () => {
    const ops = {
      '<': [1, 2, true, false],
      '<=': [2, 2, true, false],
      '>': [3, 2, true, false],
      '>=': [2, 2, true, false],
      '==': [0, 0, true, false],
      '!=': [1, 0, true, false],
    } as const;
    for (const [op, [measured, target]] of Object.entries(ops)) {
      const t = parsed(`count${op}${target}`);
      expect(t.operator).to.equal(op);
      expect(t.target).to.equal(target);
      expect(compare(measured, t.operator, t.target), `${measured}${op}${target}`).to.equal(true);
    }
    // and each of them can say no
    expect(compare(2, '<', 2)).to.equal(false);
    expect(compare(3, '<=', 2)).to.equal(false);
    expect(compare(2, '>', 2)).to.equal(false);
    expect(compare(1, '>=', 2)).to.equal(false);
    expect(compare(1, '==', 0)).to.equal(false);
    expect(compare(0, '!=', 0)).to.equal(false);
  });

  it('parses every aggregation, including decimal percentiles', () => {
    for (const name of ['rate', 'count', 'value', 'avg', 'min', 'max', 'med', 'passed', 'failed']) {
      expect(parsed(`${name}>=1`).aggregation).to.deep.equal({ kind: name });
    }
    expect(parsed('p(99)<1000').aggregation).to.deep.equal({ kind: 'percentile', percent: 99 });
    expect(parsed('p(99.9)<1000').aggregation).to.deep.equal({ kind: 'percentile', percent: 99.9 });
    expect(parsed(' p( 99.99 ) <= 2.5e3 ')).to.include({ source: 'p(99.99)<=2.5e3', operator: '<=', target: 2500 });
    expect(parsed('rate>=0.999').target).to.equal(0.999);
    expect(parsed('min>-1').target).to.equal(-1);
  });

  it('rejects what is not a threshold, saying why', () => {
    expect(parseThreshold('p(99)<<1000')).to.be.a('string').that.contains('not a threshold');
    expect(parseThreshold('rate=0.9')).to.be.a('string').that.contains('not a threshold');
    expect(parseThreshold('rate>=')).to.be.a('string').that.contains('not a threshold');
    expect(parseThreshold('rate>=abc')).to.be.a('string').that.contains('not a threshold');
    expect(parseThreshold('p99<1000')).to.be.a('string').that.contains('write percentiles as p(99)');
    expect(parseThreshold('p99.9<1000')).to.be.a('string').that.contains('write percentiles as p(99.9)');
    expect(parseThreshold('latency<1000')).to.be.a('string').that.contains("unknown aggregation 'latency'");
    expect(parseThreshold('p<1000')).to.be.a('string').that.contains('needs a percentile');
    expect(parseThreshold('p(100)<1000')).to.be.a('string').that.contains('between 0 and 100');
    expect(parseThreshold('p(0)<1000')).to.be.a('string').that.contains('between 0 and 100');
    expect(parseThreshold('rate(5)>1')).to.be.a('string').that.contains('takes no argument');
  });
});
