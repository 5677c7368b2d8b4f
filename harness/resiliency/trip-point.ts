import { evaluateNode, persistentFailureCounts } from './trip-evaluation';
import type { TripExpression } from './trip-expression';
import type { RelOp, TripNode } from './trip-syntax';

/**
 * After how many failures a breaker opens. gobreaker asks the trip condition only when a call fails while the
 * breaker is closed; from a fresh breaker whose every call fails, the k-th failure sees requests = totalFailures =
 * consecutiveFailures = k and no successes. A condition linear in the counters is solved exactly as a set of k;
 * anything else is evaluated failure by failure up to a limit.
 */
export type TripPoint =
  | { kind: 'trips'; afterFailures: number; method: 'solved' | 'searched' }
  | { kind: 'never'; reason: string }
  | { kind: 'unknown'; reason: string };

/** How far a condition the analysis cannot solve is searched, failure by failure. */
export const TRIP_SEARCH_LIMIT = 10_000;

/** Integers k ≥ 1 as sorted, disjoint, inclusive ranges; `hi` may be Infinity. */
type KSet = Array<[number, number]>;
const ALL: KSet = [[1, Infinity]];

function intersect(a: KSet, b: KSet): KSet {
  const out: KSet = [];
  for (const [alo, ahi] of a) for (const [blo, bhi] of b) {
    const lo = Math.max(alo, blo);
    const hi = Math.min(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

function complement(a: KSet): KSet {
  const out: KSet = [];
  let next = 1;
  for (const [lo, hi] of a) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next !== Infinity) out.push([next, Infinity]);
  return out;
}

function union(a: KSet, b: KSet): KSet {
  return complement(intersect(complement(a), complement(b)));
}

/** The k ≥ 1 where coefficient·k op constant holds. */
function solve(coefficient: number, op: RelOp, constant: number): KSet {
  if (coefficient === 0) {
    const c = 0 - constant;
    const holds = op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '>=' ? c >= 0 : op === '==' ? c === 0 : c !== 0;
    return holds ? ALL : [];
  }
  const flip: Record<RelOp, RelOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };
  const q = constant / coefficient;
  const o = coefficient > 0 ? op : flip[op];
  const range = (lo: number, hi: number): KSet => (Math.max(lo, 1) <= hi ? [[Math.max(lo, 1), hi]] : []);
  switch (o) {
    case '>':
      return range(Math.floor(q) + 1, Infinity);
    case '>=':
      return range(Math.ceil(q), Infinity);
    case '<':
      return range(1, Math.ceil(q) - 1);
    case '<=':
      return range(1, Math.floor(q));
    case '==':
      return Number.isInteger(q) ? range(q, q) : [];
    case '!=':
      return complement(Number.isInteger(q) ? range(q, q) : []);
  }
}

interface Affine {
  a: number;
  b: number;
  t: 'int' | 'uint' | 'double';
}

/** a·k + b under persistent failure, where the tree is linear in the counters; undefined otherwise. */
function affine(node: TripNode): Affine | undefined {
  switch (node.type) {
    case 'literal':
      return node.value.t === 'int' || node.value.t === 'uint' || node.value.t === 'double' ? { a: 0, b: node.value.v, t: node.value.t } : undefined;
    case 'ident':
      return { a: ['requests', 'totalFailures', 'consecutiveFailures'].includes(node.name) ? 1 : 0, b: 0, t: 'int' };
    case 'unary': {
      const x = node.op === '-' ? affine(node.operand) : undefined;
      return x && x.t !== 'uint' ? { a: -x.a, b: -x.b, t: x.t } : undefined;
    }
    case 'binary': {
      if (!['+', '-', '*'].includes(node.op)) return undefined;
      const l = affine(node.left);
      const r = affine(node.right);
      if (!l || !r || l.t !== r.t) return undefined;
      if (node.op === '+') return { a: l.a + r.a, b: l.b + r.b, t: l.t };
      if (node.op === '-') return l.t === 'uint' ? undefined : { a: l.a - r.a, b: l.b - r.b, t: l.t };
      if (l.a !== 0 && r.a !== 0) return undefined;
      return { a: l.a * r.b + r.a * l.b, b: l.b * r.b, t: l.t };
    }
    case 'call': {
      if (node.target || node.args.length !== 1 || !['int', 'double'].includes(node.name)) return undefined;
      const x = affine(node.args[0] as TripNode);
      if (!x || (node.name === 'int' && x.t === 'double' && x.a !== 0)) return undefined;
      return { a: x.a, b: node.name === 'int' ? Math.trunc(x.b) : x.b, t: node.name as 'int' | 'double' };
    }
    default:
      return undefined;
  }
}

function solveSet(node: TripNode): KSet | undefined {
  switch (node.type) {
    case 'literal':
      return node.value.t === 'bool' ? (node.value.v ? ALL : []) : undefined;
    case 'unary': {
      const inner = node.op === '!' ? solveSet(node.operand) : undefined;
      return inner && complement(inner);
    }
    case 'conditional': {
      const test = solveSet(node.test);
      const then = solveSet(node.then);
      const otherwise = solveSet(node.otherwise);
      return test && then && otherwise && union(intersect(test, then), intersect(complement(test), otherwise));
    }
    case 'binary': {
      if (node.op === '&&' || node.op === '||') {
        const l = solveSet(node.left);
        const r = solveSet(node.right);
        return l && r && (node.op === '&&' ? intersect(l, r) : union(l, r));
      }
      if (!['<', '<=', '>', '>=', '==', '!='].includes(node.op)) return undefined;
      const l = affine(node.left);
      const r = affine(node.right);
      return l && r && solve(l.a - r.a, node.op as RelOp, r.b - l.b);
    }
    default:
      return undefined;
  }
}

/** After how many failures in a row a fresh breaker with this condition opens. */
export function tripPoint(expr: TripExpression): TripPoint {
  const solved = solveSet(expr.ast);
  if (solved) {
    const first = solved[0];
    if (first) return { kind: 'trips', afterFailures: first[0], method: 'solved' };
    return { kind: 'never', reason: `"${expr.source}" never holds while calls keep failing (successes stay 0, failures and requests rise together)` };
  }
  for (let k = 1; k <= TRIP_SEARCH_LIMIT; k++) {
    const out = evaluateNode(expr.ast, persistentFailureCounts(k));
    if (out.t === 'unsupported') return { kind: 'unknown', reason: `"${expr.source}" uses CEL the harness does not evaluate` };
    if (out.t === 'bool' && out.v) return { kind: 'trips', afterFailures: k, method: 'searched' };
  }
  return { kind: 'unknown', reason: `"${expr.source}" does not hold within ${TRIP_SEARCH_LIMIT} failures in a row and is not linear in the counters` };
}
