import type { BreakerCounts, TripVariable } from './cel/trip-cel';
import type { BinaryOp, CelValue, TripNode } from './trip-syntax';

export { TRIP_VARIABLES, type BreakerCounts, type TripVariable } from './cel/trip-cel';

/**
 * CEL evaluation for the subset trip conditions use: int/uint/double/bool/string arithmetic and comparison without
 * implicit conversion, CEL's error-absorbing && and ||, the ternary, `in` over lists and the int()/uint()/double()
 * conversions. Anything else evaluates to "unsupported" rather than to a guess.
 */

export type Outcome = CelValue | { t: 'error'; why: string } | { t: 'unsupported'; what: string };

export { persistentFailureCounts } from './trip-point';

const isNum = (v: Outcome): v is { t: 'int' | 'uint' | 'double'; v: number } => v.t === 'int' || v.t === 'uint' || v.t === 'double';
const err = (why: string): Outcome => ({ t: 'error', why });

export function evaluateNode(node: TripNode, counts: BreakerCounts): Outcome {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'ident':
      return { t: 'int', v: counts[node.name as TripVariable] };
    case 'unary': {
      const v = evaluateNode(node.operand, counts);
      if (v.t === 'error' || v.t === 'unsupported') return v;
      if (node.op === '!') return v.t === 'bool' ? { t: 'bool', v: !v.v } : err('no such overload: !');
      return v.t === 'int' || v.t === 'double' ? { t: v.t, v: -v.v } : err('no such overload: -');
    }
    case 'binary':
      return binary(node.op, node.left, node.right, counts);
    case 'conditional': {
      const test = evaluateNode(node.test, counts);
      if (test.t === 'error' || test.t === 'unsupported') return test;
      if (test.t !== 'bool') return err('no such overload: ?:');
      return evaluateNode(test.v ? node.then : node.otherwise, counts);
    }
    case 'call':
      return call(node, counts);
    case 'list': {
      const items: CelValue[] = [];
      for (const item of node.items) {
        const v = evaluateNode(item, counts);
        if (v.t === 'error' || v.t === 'unsupported') return v;
        items.push(v);
      }
      return { t: 'list', v: items };
    }
    case 'index': {
      const list = evaluateNode(node.operand, counts);
      const index = evaluateNode(node.index, counts);
      if (list.t === 'error' || list.t === 'unsupported') return list;
      if (index.t === 'error' || index.t === 'unsupported') return index;
      if (list.t !== 'list' || !isNum(index)) return { t: 'unsupported', what: 'indexing other than list[number]' };
      return list.v[index.v] ?? err('index out of range');
    }
    case 'select':
      return { t: 'unsupported', what: `field selection ".${node.field}"` };
  }
}

function call(node: Extract<TripNode, { type: 'call' }>, counts: BreakerCounts): Outcome {
  if (node.target || !['int', 'uint', 'double'].includes(node.name) || node.args.length !== 1) {
    return { t: 'unsupported', what: `function ${node.name}()` };
  }
  const v = evaluateNode(node.args[0] as TripNode, counts);
  if (v.t === 'error' || v.t === 'unsupported') return v;
  if (!isNum(v)) return err(`no such overload: ${node.name}()`);
  if (node.name === 'double') return { t: 'double', v: v.v };
  if (node.name === 'uint' && v.v < 0) return err('uint out of range');
  return { t: node.name as 'int' | 'uint', v: Math.trunc(v.v) };
}

function binary(op: BinaryOp, leftNode: TripNode, rightNode: TripNode, counts: BreakerCounts): Outcome {
  if (op === '&&' || op === '||') {
    // CEL's logical operators are commutative over errors: a decisive side wins whatever the other side did.
    const decisive = op === '||';
    const l = evaluateNode(leftNode, counts);
    if (l.t === 'bool' && l.v === decisive) return l;
    const r = evaluateNode(rightNode, counts);
    if (r.t === 'bool' && r.v === decisive) return r;
    for (const side of [l, r]) if (side.t === 'unsupported') return side;
    for (const side of [l, r]) if (side.t === 'error') return side;
    if (l.t === 'bool' && r.t === 'bool') return { t: 'bool', v: !decisive };
    return err(`no such overload: ${op}`);
  }
  const l = evaluateNode(leftNode, counts);
  if (l.t === 'error' || l.t === 'unsupported') return l;
  const r = evaluateNode(rightNode, counts);
  if (r.t === 'error' || r.t === 'unsupported') return r;
  switch (op) {
    case '==':
    case '!=': {
      const same = equal(l, r);
      return { t: 'bool', v: op === '==' ? same : !same };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const c = compare(l, r);
      if (c === undefined) return err(`no such overload: ${op}`);
      return { t: 'bool', v: op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0 };
    }
    case 'in':
      return r.t === 'list' ? { t: 'bool', v: r.v.some((item) => equal(l, item)) } : { t: 'unsupported', what: '"in" over anything but a list' };
    default:
      return arithmetic(op, l, r);
  }
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', l: CelValue, r: CelValue): Outcome {
  if (op === '+' && l.t === 'string' && r.t === 'string') return { t: 'string', v: l.v + r.v };
  // CEL has no implicit numeric conversion: int + double is a "no such overload" error at run time.
  if (!isNum(l) || !isNum(r) || l.t !== r.t) return err(`no such overload: ${l.t} ${op} ${r.t}`);
  const t = l.t;
  if (t === 'double') {
    if (op === '%') return err('no such overload: double % double');
    const v = op === '+' ? l.v + r.v : op === '-' ? l.v - r.v : op === '*' ? l.v * r.v : l.v / r.v;
    return { t, v };
  }
  if ((op === '/' || op === '%') && r.v === 0) return err(op === '/' ? 'division by zero' : 'modulus by zero');
  const v = op === '+' ? l.v + r.v : op === '-' ? l.v - r.v : op === '*' ? l.v * r.v : op === '/' ? Math.trunc(l.v / r.v) : l.v % r.v;
  if (t === 'uint' && v < 0) return err('uint overflow');
  return { t, v };
}

function equal(l: CelValue, r: CelValue): boolean {
  if (isNum(l) && isNum(r)) return l.v === r.v;
  if (l.t !== r.t) return false;
  if (l.t === 'list' && r.t === 'list') return l.v.length === r.v.length && l.v.every((item, i) => equal(item, r.v[i] as CelValue));
  return 'v' in l && 'v' in r ? l.v === r.v : true;
}

function compare(l: CelValue, r: CelValue): number | undefined {
  if (isNum(l) && isNum(r)) return l.v - r.v;
  if (l.t === 'string' && r.t === 'string') return l.v < r.v ? -1 : l.v > r.v ? 1 : 0;
  if (l.t === 'bool' && r.t === 'bool') return Number(l.v) - Number(r.v);
  return undefined;
}
