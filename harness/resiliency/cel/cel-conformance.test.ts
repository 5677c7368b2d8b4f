import { isCelError, isCelUint, run, type CelResult } from '@bufbuild/cel';
import type { Value } from '@bufbuild/cel-spec/cel/expr/value_pb.js';
import { getConformanceSuite, type IncrementalTest } from '@bufbuild/cel-spec/testdata/tests.js';
import { expect } from 'chai';

/**
 * The CEL conformance cases (cel-spec, as shipped in @bufbuild/cel-spec) for what trip conditions are made of, run
 * through @bufbuild/cel on this Node: int64 arithmetic with overflow and division by zero as errors, integer
 * division, comparisons across int/uint/double, logic that absorbs errors, and the conversions. If an upgrade of
 * either package or of Node changes an answer, this says which case.
 */
const SECTIONS = ['integer_math', 'logic', 'comparisons', 'conversions', 'fp_math'];

function matches(expected: Value, actual: CelResult): boolean {
  if (isCelError(actual)) return false;
  const kind = expected.kind;
  switch (kind.case) {
    case 'int64Value':
      return actual === kind.value;
    case 'uint64Value':
      return isCelUint(actual) && actual.value === kind.value;
    case 'doubleValue':
      return (
        typeof actual === 'number' &&
        (Object.is(actual, kind.value) || actual === kind.value || (Number.isNaN(actual) && Number.isNaN(kind.value)))
      );
    case 'boolValue':
    case 'stringValue':
      return actual === kind.value;
    case 'bytesValue':
      return actual instanceof Uint8Array && Buffer.from(actual).equals(Buffer.from(kind.value));
    default:
      return false;
  }
}

/** Cases that need neither bindings, a container, nor a value kind the trip evaluation never produces. */
function runnable(t: IncrementalTest): boolean {
  const o = t.original;
  if (o.checkOnly || o.container !== '' || Object.keys(o.bindings).length > 0) return false;
  if (o.resultMatcher.case === 'evalError') return true;
  return (
    o.resultMatcher.case === 'value' &&
    ['int64Value', 'uint64Value', 'doubleValue', 'boolValue', 'stringValue', 'bytesValue'].includes(o.resultMatcher.value.kind.case ?? '')
  );
}

describe('CEL conformance of @bufbuild/cel for the parts trip conditions use', () => {
  const suite = getConformanceSuite();
  for (const name of SECTIONS) {
    const section = suite.suites.find((s) => s.name === name);
    it(`agrees with cel-spec's "${name}" cases`, () => {
      expect(section, `cel-spec has a "${name}" section`).to.not.equal(undefined);
      const cases = (section?.suites ?? []).flatMap((s) => s.tests.filter(runnable).map((t) => ({ group: s.name, t })));
      expect(cases.length, `runnable "${name}" cases`).to.be.greaterThan(10);
      const wrong: string[] = [];
      for (const { group, t } of cases) {
        const out = run(t.original.expr);
        const m = t.original.resultMatcher;
        const ok = m.case === 'evalError' ? isCelError(out) : m.case === 'value' && matches(m.value, out);
        if (!ok) wrong.push(`${group}/${t.name}: ${t.original.expr} gave ${isCelError(out) ? `error ${out.message}` : String(out)}`);
      }
      expect(wrong, wrong.join('\n')).to.deep.equal([]);
    });
  }
});
