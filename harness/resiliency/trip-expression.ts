import { CelScalar, type CelType } from '@bufbuild/cel';
import { usageError } from '../errors/harness-error';
import { nearestName } from '../naming/nearest-name';
import {
  parseTripCel,
  TRIP_VARIABLES,
  TripSyntaxError,
  tripsAt,
  type BreakerCounts,
  type TripAst,
  type TripExpression,
} from './cel/trip-cel';
import { checkTrip, fits, type TripProblem } from './cel/trip-check';

export { TRIP_VARIABLES, type BreakerCounts, type TripExpression, type TripVariable } from './cel/trip-cel';
export { persistentFailureCounts, tripPoint, TRIP_SEARCH_LIMIT, type TripPoint } from './trip-point';

/**
 * A circuit breaker's `trip` condition: a CEL expression daprd evaluates over the breaker's counts each time a call
 * fails while the breaker is closed.
 *
 * Why stricter than daprd: daprd declares every unknown identifier as a dynamic variable, so a misspelt
 * `consecutiveFailure > 5` loads fine and then never trips (evaluation errors count as "do not trip"). We reject
 * that, conditions that are not true/false at all, and operations that error whenever they run (the counters are
 * ints), because each one silently disables the breaker. We also reject what daprd itself would refuse to load.
 */

/** gobreaker's ReadyToTrip when a policy gives no `trip`. */
export const DEFAULT_TRIP = 'consecutiveFailures > 5';

const TRIP_HINT = `write a CEL condition over ${TRIP_VARIABLES.join(', ')}, e.g. "consecutiveFailures > 5"`;
const SYNTAX_HINT = 'write a CEL condition such as "consecutiveFailures > 5", joining comparisons with && or ||';
const NEVER = 'so it errors at every failure and never trips';

const a = (t: CelType): string => (t.toString() === 'int' ? 'an int' : `a ${t.toString()}`);
const RELATIONAL = ['<', '<=', '>', '>='];
const ARITHMETIC = ['+', '-', '*', '/', '%'];
const NUMERIC = ['int', 'uint', 'double'];

/** What is wrong, as the rest of `trip "…" <what>`. */
function whenRun(p: TripProblem): string {
  switch (p.kind) {
    case 'unknown-identifier': {
      const near = nearestName(p.name, TRIP_VARIABLES);
      return `uses "${p.name}", which is not a circuit breaker counter${near ? ` (did you mean "${near}"?)` : ''}; daprd would load it and never trip`;
    }
    case 'unknown-function':
      return `calls ${p.name}(), which is not a CEL function`;
    case 'not-a-condition':
      if (p.operator === '!') return `negates ${a(p.found)} with "!"; "!" needs a condition`;
      if (p.operator === '? :') return `puts ${a(p.found)} before "?", where a condition belongs`;
      return `joins ${a(p.found)} with "${p.operator}"; both sides must be conditions such as "totalFailures > 3"`;
    case 'condition-as-number':
      return RELATIONAL.includes(p.operator)
        ? `compares a condition with "${p.operator}"; write each comparison separately and join them with && or ||`
        : `does arithmetic ("${p.operator}") on a condition`;
    case 'no-overload': {
      const [l, r] = p.args.map((t) => t.toString());
      if (ARITHMETIC.includes(p.operator) && p.args.length === 2 && l !== r && NUMERIC.includes(l ?? '') && NUMERIC.includes(r ?? '')) {
        return `does ${l} ${p.operator} ${r}; CEL has no implicit conversion, ${NEVER} (wrap the counter in double(...) or use an integer)`;
      }
      return `applies "${p.operator}" to (${p.args.join(', ')}), which CEL has no overload for, ${NEVER}`;
    }
    case 'no-field':
      return `reads field "${p.field}" of ${a(p.of)}, which has no fields, ${NEVER}`;
  }
}

/** What cel-go's checker says when daprd compiles the condition with every identifier declared dyn. */
function whenLoaded(p: TripProblem): string {
  const what = p.kind === 'no-overload' ? `finds no overload for "${p.operator}" on (${p.args.join(', ')})` : `rejects it: ${whenRun(p)}`;
  return `does not compile in daprd: cel-go, with every identifier dyn as daprd declares them, ${what}; CEL converts no types implicitly`;
}

/** Parse and check a trip condition; throws a usage error naming the problem. */
export function parseTripExpression(source: string): TripExpression {
  if (source.trim() === '')
    throw usageError('RESILIENCY_INVALID_TRIP', 'trip is empty', `leave it out for the default "${DEFAULT_TRIP}", or ${TRIP_HINT}`);
  let ast: TripAst;
  try {
    ast = parseTripCel(source);
  } catch (err) {
    if (err instanceof TripSyntaxError)
      throw usageError('RESILIENCY_INVALID_TRIP', `trip "${source}" cannot be parsed: ${err.message}`, SYNTAX_HINT);
    throw err;
  }
  const checked = checkTrip(ast);
  const fail = (what: string): never => {
    throw usageError('RESILIENCY_INVALID_TRIP', `trip "${source}" ${what}`, TRIP_HINT);
  };
  // A misspelt counter first: it is the likeliest mistake and the one the other problems follow from.
  const problem = checked.problems.find((p) => p.kind === 'unknown-identifier') ?? checked.problems[0];
  if (problem) fail(whenRun(problem));
  const loadProblem = checked.loadProblems[0];
  if (loadProblem) fail(whenLoaded(loadProblem));
  if (!fits(CelScalar.BOOL, checked.type)) fail(`is ${a(checked.type)}, not a true/false condition, so daprd never trips on it`);
  return { source, ast, variables: checked.variables };
}

/** Whether the breaker would open on a failure with these counts. Errors count as "do not trip", as in daprd. */
export function evaluateTrip(expr: TripExpression, counts: BreakerCounts): boolean {
  return tripsAt(expr.ast, counts);
}
