import { usageError } from '../errors/harness-error';
import { nearestName } from '../naming/nearest-name';
import { evaluateNode, TRIP_VARIABLES, type BreakerCounts, type TripVariable } from './trip-evaluation';
import { parseCel, type TripNode } from './trip-syntax';

export { persistentFailureCounts, TRIP_VARIABLES, type BreakerCounts, type TripVariable } from './trip-evaluation';
export { tripPoint, TRIP_SEARCH_LIMIT, type TripPoint } from './trip-point';

/**
 * A circuit breaker's `trip` condition: a CEL expression daprd evaluates over the breaker's counts each time a call
 * fails while the breaker is closed.
 *
 * Why stricter than daprd: daprd declares every unknown identifier as a dynamic variable, so a misspelt
 * `consecutiveFailure > 5` loads fine and then never trips (evaluation errors count as "do not trip"). We reject
 * that, and conditions that are not true/false at all, because either one silently disables the breaker.
 */

/** gobreaker's ReadyToTrip when a policy gives no `trip`. */
export const DEFAULT_TRIP = 'consecutiveFailures > 5';

export interface TripExpression {
  source: string;
  ast: TripNode;
  /** Counters the condition reads, in the order they first appear. */
  variables: TripVariable[];
}

const TRIP_HINT = `write a CEL condition over ${TRIP_VARIABLES.join(', ')}, e.g. "consecutiveFailures > 5"`;

type Kind = 'bool' | 'number' | 'string' | 'list' | 'null' | 'unknown';

function kindOf(node: TripNode): Kind {
  switch (node.type) {
    case 'literal':
      return node.value.t === 'bool' ? 'bool' : node.value.t === 'string' ? 'string' : node.value.t === 'list' ? 'list' : node.value.t === 'null' ? 'null' : 'number';
    case 'ident':
      return 'number';
    case 'unary':
      return node.op === '!' ? 'bool' : 'number';
    case 'binary':
      if (['&&', '||', '<', '<=', '>', '>=', '==', '!=', 'in'].includes(node.op)) return 'bool';
      return kindOf(node.left) === 'string' ? 'string' : 'number';
    case 'conditional': {
      const a = kindOf(node.then);
      return a === kindOf(node.otherwise) ? a : 'unknown';
    }
    case 'call':
      if (!node.target && (node.name === 'int' || node.name === 'uint' || node.name === 'double')) return 'number';
      return 'unknown';
    case 'list':
      return 'list';
    default:
      return 'unknown';
  }
}

/** The CEL numeric type of an arithmetic operand where it is known without running it. */
function numericType(node: TripNode): 'int' | 'uint' | 'double' | undefined {
  switch (node.type) {
    case 'literal':
      return node.value.t === 'int' || node.value.t === 'uint' || node.value.t === 'double' ? node.value.t : undefined;
    case 'ident':
      return 'int';
    case 'unary':
      return node.op === '-' ? numericType(node.operand) : undefined;
    case 'binary': {
      if (!['+', '-', '*', '/', '%'].includes(node.op)) return undefined;
      const l = numericType(node.left);
      return l === numericType(node.right) ? l : undefined;
    }
    case 'call':
      return !node.target && ['int', 'uint', 'double'].includes(node.name) ? (node.name as 'int' | 'uint' | 'double') : undefined;
    default:
      return undefined;
  }
}

function check(node: TripNode, source: string, seen: TripVariable[]): void {
  const fail = (what: string): never => {
    throw usageError('resiliency.invalid-trip', `trip "${source}" ${what}`, TRIP_HINT);
  };
  switch (node.type) {
    case 'ident': {
      if (!(TRIP_VARIABLES as readonly string[]).includes(node.name)) {
        const near = nearestName(node.name, TRIP_VARIABLES);
        fail(`uses "${node.name}", which is not a circuit breaker counter${near ? ` (did you mean "${near}"?)` : ''}; daprd would load it and never trip`);
      }
      if (!seen.includes(node.name as TripVariable)) seen.push(node.name as TripVariable);
      return;
    }
    case 'literal':
      return;
    case 'unary': {
      check(node.operand, source, seen);
      const k = kindOf(node.operand);
      if (node.op === '!' && (k === 'number' || k === 'string')) fail(`negates a ${k} with "!"; "!" needs a condition`);
      if (node.op === '-' && k === 'bool') fail('negates a condition with "-"; use "!" instead');
      return;
    }
    case 'binary': {
      check(node.left, source, seen);
      check(node.right, source, seen);
      const l = kindOf(node.left);
      const r = kindOf(node.right);
      if (node.op === '&&' || node.op === '||') {
        for (const k of [l, r]) if (k === 'number' || k === 'string' || k === 'list') fail(`joins a ${k} with "${node.op}"; both sides must be conditions such as "totalFailures > 3"`);
      } else if (['<', '<=', '>', '>='].includes(node.op)) {
        if (l === 'bool' || r === 'bool') fail(`compares a condition with "${node.op}"; write each comparison separately and join them with && or ||`);
      } else if (['+', '-', '*', '/', '%'].includes(node.op)) {
        if (l === 'bool' || r === 'bool') fail(`does arithmetic ("${node.op}") on a condition`);
        const lt = numericType(node.left);
        const rt = numericType(node.right);
        if (lt && rt && lt !== rt) {
          fail(`does ${lt} ${node.op} ${rt}; CEL has no implicit conversion, so it errors at every failure and never trips (wrap the counter in double(...) or use an integer)`);
        }
      }
      return;
    }
    case 'conditional':
      check(node.test, source, seen);
      check(node.then, source, seen);
      check(node.otherwise, source, seen);
      if (['number', 'string', 'list'].includes(kindOf(node.test))) fail('uses a non-condition before "?"');
      return;
    case 'call':
      if (node.target) check(node.target, source, seen);
      for (const arg of node.args) check(arg, source, seen);
      return;
    case 'select':
      check(node.operand, source, seen);
      return;
    case 'index':
      check(node.operand, source, seen);
      check(node.index, source, seen);
      return;
    case 'list':
      for (const item of node.items) check(item, source, seen);
      return;
  }
}



/** Parse and check a trip condition; throws a usage error naming the problem. */
export function parseTripExpression(source: string): TripExpression {
  if (source.trim() === '') throw usageError('resiliency.invalid-trip', 'trip is empty', `leave it out for the default "${DEFAULT_TRIP}", or ${TRIP_HINT}`);
  const ast = parseCel(source);
  const variables: TripVariable[] = [];
  check(ast, source, variables);
  const kind = kindOf(ast);
  if (kind !== 'bool' && kind !== 'unknown') {
    throw usageError('resiliency.invalid-trip', `trip "${source}" is a ${kind}, not a true/false condition, so daprd never trips on it`, TRIP_HINT);
  }
  return { source, ast, variables };
}

/**
 * Whether the breaker would open on a failure with these counts. Errors count as "do not trip", as in daprd;
 * `undefined` means the condition uses CEL the harness does not evaluate.
 */
export function evaluateTrip(expr: TripExpression, counts: BreakerCounts): boolean | undefined {
  const out = evaluateNode(expr.ast, counts);
  if (out.t === 'unsupported') return undefined;
  return out.t === 'bool' && out.v;
}
