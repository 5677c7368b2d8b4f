import { celEnv, CelScalar, isCelError, parse, plan, type CelResult } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/**
 * A circuit breaker's `trip` condition as CEL, parsed and evaluated by @bufbuild/cel (a conformant CEL evaluator)
 * the way daprd evaluates it with cel-go: gobreaker's counts bound as int64 (pkg/resiliency/breaker), and only a
 * result that is the boolean true opens the breaker; an error or any other value means "do not trip".
 */
export const TRIP_VARIABLES = ['requests', 'totalSuccesses', 'totalFailures', 'consecutiveSuccesses', 'consecutiveFailures'] as const;
export type TripVariable = (typeof TRIP_VARIABLES)[number];
/** gobreaker's counts (uint32 there, so whole numbers from 0 to 2^32-1). */
export type BreakerCounts = Record<TripVariable, number>;

/** The library's own tree of a parsed condition. */
export type TripAst = Expr;

/**
 * daprd declares every identifier it meets as dyn and binds the counts as int64, so at run time each counter is a
 * CEL int. The harness declares them as what they are: int.
 */
export const TRIP_ENV = celEnv({
  variables: {
    requests: CelScalar.INT,
    totalSuccesses: CelScalar.INT,
    totalFailures: CelScalar.INT,
    consecutiveSuccesses: CelScalar.INT,
    consecutiveFailures: CelScalar.INT,
  },
});

export class TripSyntaxError extends Error {
  constructor(
    readonly what: string,
    readonly column: number | undefined,
  ) {
    super(column === undefined ? what : `${what} at column ${column}`);
  }
}

/** Parse CEL source; throws TripSyntaxError with the library's account of the first problem. */
export function parseTripCel(source: string): TripAst {
  try {
    return parse(source).expr;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The parser reports "<input>:LINE:COLUMN: what"; a trip condition is one line in YAML as daprd reads it.
    const at = /^<input>:\d+:(\d+): ([\s\S]*)$/.exec(message);
    throw at ? new TripSyntaxError(at[2] as string, Number(at[1])) : new TripSyntaxError(message, undefined);
  }
}

type Program = (bindings: Record<TripVariable, bigint>) => CelResult;
const programs = new WeakMap<TripAst, Program>();

function programOf(ast: TripAst): Program {
  let program = programs.get(ast);
  if (!program) {
    program = plan(TRIP_ENV, ast);
    programs.set(ast, program);
  }
  return program;
}

/** The CEL value of the condition for these counts, or the CEL error it raises. */
export function evaluateTripCel(ast: TripAst, counts: BreakerCounts): CelResult {
  return programOf(ast)({
    requests: BigInt(counts.requests),
    totalSuccesses: BigInt(counts.totalSuccesses),
    totalFailures: BigInt(counts.totalFailures),
    consecutiveSuccesses: BigInt(counts.consecutiveSuccesses),
    consecutiveFailures: BigInt(counts.consecutiveFailures),
  });
}

/** daprd's decision: trip only on the boolean true; errors and other values count as "do not trip". */
export function tripsAt(ast: TripAst, counts: BreakerCounts): boolean {
  const out = evaluateTripCel(ast, counts);
  return !isCelError(out) && out === true;
}

/** A checked trip condition: what parseTripExpression returns and tripPoint solves. */
export interface TripExpression {
  source: string;
  /** The condition as @bufbuild/cel parsed it. */
  ast: TripAst;
  /** Counters the condition reads, in the order they first appear. */
  variables: TripVariable[];
}
