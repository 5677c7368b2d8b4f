import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { tripsAt, type BreakerCounts, type TripAst, type TripExpression } from './cel/trip-cel';

/**
 * After how many failures a breaker opens. gobreaker asks the trip condition only when a call fails while the
 * breaker is closed; from a fresh breaker whose every call fails, the k-th failure sees requests = totalFailures =
 * consecutiveFailures = k and no successes. A condition linear in the counters is solved exactly as a set of k (and
 * the answer checked by evaluating it, since CEL's int64 can overflow where the algebra does not); anything else is
 * evaluated failure by failure up to a limit.
 */
export type TripPoint =
  | { kind: 'trips'; afterFailures: number; method: 'solved' | 'searched' }
  | { kind: 'never'; reason: string }
  | { kind: 'unknown'; reason: string };

/** How far a condition the analysis cannot solve is searched, failure by failure. */
export const TRIP_SEARCH_LIMIT = 10_000;

/** gobreaker keeps its counts in uint32, so no count goes past this. */
const MAX_COUNT = 4_294_967_295;

/** The counts at the k-th failure of a fresh breaker whose every call fails. */
export function persistentFailureCounts(failures: number): BreakerCounts {
  return { requests: failures, totalFailures: failures, consecutiveFailures: failures, totalSuccesses: 0, consecutiveSuccesses: 0 };
}

type RelOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
const RELATIONS: Record<string, RelOp> = { '_<_': '<', '_<=_': '<=', '_>_': '>', '_>=_': '>=', '_==_': '==', '_!=_': '!=' };

/** Integers k ≥ 1 as sorted, disjoint, inclusive ranges; `hi` may be Infinity. */
type KSet = Array<[number, number]>;
const ALL: KSet = [[1, Infinity]];

function intersect(a: KSet, b: KSet): KSet {
  const out: KSet = [];
  for (const [alo, ahi] of a)
    for (const [blo, bhi] of b) {
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

/** A global call's function and arguments, or undefined for anything else. */
function globalCall(node: Expr): { fn: string; args: Expr[] } | undefined {
  const kind = node.exprKind;
  return kind.case === 'callExpr' && !kind.value.target ? { fn: kind.value.function, args: kind.value.args } : undefined;
}

/** a·k + b under persistent failure, where the tree is linear in the counters; undefined otherwise. */
function affine(node: Expr): Affine | undefined {
  const kind = node.exprKind;
  if (kind.case === 'constExpr') {
    const c = kind.value.constantKind;
    if (c.case === 'int64Value') return { a: 0, b: Number(c.value), t: 'int' };
    if (c.case === 'uint64Value') return { a: 0, b: Number(c.value), t: 'uint' };
    if (c.case === 'doubleValue') return { a: 0, b: c.value, t: 'double' };
    return undefined;
  }
  if (kind.case === 'identExpr') {
    // At k = 1 each counter holds its own coefficient: 1 for the failure counters, 0 for the success ones.
    const counter = persistentFailureCounts(1)[kind.value.name as keyof BreakerCounts];
    return counter === undefined ? undefined : { a: counter, b: 0, t: 'int' };
  }
  const call = globalCall(node);
  if (!call) return undefined;
  const [first, second] = call.args;
  if (call.fn === '-_' && first) {
    const x = affine(first);
    return x && x.t !== 'uint' ? { a: -x.a, b: -x.b, t: x.t } : undefined;
  }
  if (['_+_', '_-_', '_*_'].includes(call.fn) && first && second) {
    const l = affine(first);
    const r = affine(second);
    if (!l || !r || l.t !== r.t) return undefined;
    if (call.fn === '_+_') return { a: l.a + r.a, b: l.b + r.b, t: l.t };
    if (call.fn === '_-_') return l.t === 'uint' ? undefined : { a: l.a - r.a, b: l.b - r.b, t: l.t };
    if (l.a !== 0 && r.a !== 0) return undefined;
    return { a: l.a * r.b + r.a * l.b, b: l.b * r.b, t: l.t };
  }
  if ((call.fn === 'int' || call.fn === 'double') && call.args.length === 1 && first) {
    const x = affine(first);
    if (!x || (call.fn === 'int' && x.t === 'double' && x.a !== 0)) return undefined;
    return { a: x.a, b: call.fn === 'int' ? Math.trunc(x.b) : x.b, t: call.fn };
  }
  return undefined;
}

function solveSet(node: Expr): KSet | undefined {
  const kind = node.exprKind;
  if (kind.case === 'constExpr')
    return kind.value.constantKind.case === 'boolValue' ? (kind.value.constantKind.value ? ALL : []) : undefined;
  const call = globalCall(node);
  if (!call) return undefined;
  const [first, second, third] = call.args;
  if (call.fn === '!_' && first) {
    const inner = solveSet(first);
    return inner && complement(inner);
  }
  if (call.fn === '_?_:_' && first && second && third) {
    const test = solveSet(first);
    const then = solveSet(second);
    const otherwise = solveSet(third);
    return test && then && otherwise && union(intersect(test, then), intersect(complement(test), otherwise));
  }
  if ((call.fn === '_&&_' || call.fn === '_||_') && first && second) {
    const l = solveSet(first);
    const r = solveSet(second);
    // CEL's && and || are commutative over errors: a side that always decides settles it, whatever the other does.
    const decisive = call.fn === '_&&_' ? [] : ALL;
    const settles = (s: KSet | undefined) =>
      s !== undefined && s.length === decisive.length && s.every(([lo, hi], i) => lo === decisive[i]?.[0] && hi === decisive[i]?.[1]);
    if (settles(l) || settles(r)) return decisive;
    return l && r && (call.fn === '_&&_' ? intersect(l, r) : union(l, r));
  }
  const op = RELATIONS[call.fn];
  if (!op || !first || !second) return undefined;
  const l = affine(first);
  const r = affine(second);
  return l && r && solve(l.a - r.a, op, r.b - l.b);
}

const fromFresh = (ast: TripAst, k: number): boolean => tripsAt(ast, persistentFailureCounts(k));

/** After how many failures in a row a fresh breaker with this condition opens. */
export function tripPoint(expr: TripExpression): TripPoint {
  const solved = solveSet(expr.ast);
  if (solved) {
    const first = solved[0];
    const never: TripPoint = {
      kind: 'never',
      reason: `"${expr.source}" never holds while calls keep failing (successes stay 0, failures and requests rise together)`,
    };
    if (!first) return never;
    const k = first[0];
    if (k > MAX_COUNT)
      return { kind: 'never', reason: `"${expr.source}" first holds after ${k} failures, beyond the ${MAX_COUNT} gobreaker can count` };
    if (fromFresh(expr.ast, k)) return { kind: 'trips', afterFailures: k, method: 'solved' };
    // Only an error, int64 overflow, turns a true the algebra promises into "do not trip".
    return {
      kind: 'unknown',
      reason: `"${expr.source}" holds from ${k} failures on paper, but CEL errors there (int64 overflow), and daprd does not trip on an error`,
    };
  }
  for (let k = 1; k <= TRIP_SEARCH_LIMIT; k++) {
    if (fromFresh(expr.ast, k)) return { kind: 'trips', afterFailures: k, method: 'searched' };
  }
  return {
    kind: 'unknown',
    reason: `"${expr.source}" does not hold within ${TRIP_SEARCH_LIMIT} failures in a row and is not linear in the counters`,
  };
}
