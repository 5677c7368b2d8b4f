import { CelScalar, listType, mapType, type CelType } from '@bufbuild/cel';
import type { Constant, Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { TRIP_ENV, TRIP_VARIABLES, type TripAst, type TripVariable } from './trip-cel';

/**
 * What a trip condition is before it runs: the counters it reads, the CEL type it yields, and what in it can never
 * evaluate. @bufbuild/cel 0.6.1 exports no type checker, so this walks the library's own tree with the library's own
 * declarations, twice:
 *
 * - as it runs: the counters as declared in TRIP_ENV (int, which is what daprd binds) and every standard function's
 *   overloads from TRIP_ENV's function table, which describe run-time dispatch: `==` takes any two values and `<`
 *   compares across int, uint and double, as cel-go does at run time. A problem here errors at every failure.
 * - as daprd loads it: daprd (pkg/expr) declares every identifier as dyn and compiles with cel-go's checker, whose
 *   `==`, `!=`, `in` and `? :` are parametric, (A, A), and which leaves out the cross-type comparison overloads unless
 *   asked (cel-go v0.20.1 checker/env.go). A problem here makes daprd reject the policy.
 */
export type TripProblem =
  | { kind: 'unknown-identifier'; name: string }
  | { kind: 'unknown-function'; name: string }
  | { kind: 'not-a-condition'; operator: string; found: CelType }
  | { kind: 'condition-as-number'; operator: string }
  | { kind: 'no-overload'; operator: string; args: CelType[] }
  | { kind: 'no-field'; field: string; of: CelType };

export interface TripCheck {
  /** The CEL type of the whole condition; dyn when only run time can tell. */
  type: CelType;
  /** Counters read, in the order they first appear. */
  variables: TripVariable[];
  /** What errors whenever it runs, counters being ints. */
  problems: TripProblem[];
  /** What cel-go's checker rejects when daprd compiles it with every identifier declared dyn. */
  loadProblems: TripProblem[];
}

interface Declarations {
  /** The type each counter is declared with. */
  counter: CelType;
  /** The type an unknown identifier is declared with; undefined makes it a problem. */
  unknown: CelType | undefined;
  /** cel-go's static rules: (A, A) for ==, !=, in and ? :, and no comparison across numeric types. */
  parametric: boolean;
}

const AS_RUN: Declarations = { counter: CelScalar.INT, unknown: undefined, parametric: false };
const AS_DAPRD_LOADS: Declarations = { counter: CelScalar.DYN, unknown: CelScalar.DYN, parametric: true };

const BOOL = CelScalar.BOOL;
const DYN = CelScalar.DYN;
const isDyn = (t: CelType): boolean => t.kind === 'scalar' && t.name === 'dyn';

/** Whether a value of type `arg` may be passed where `param` is declared; dyn fits everything both ways. */
export function fits(param: CelType, arg: CelType): boolean {
  if (isDyn(param) || isDyn(arg)) return true;
  if (param.kind === 'list' && arg.kind === 'list') return fits(param.element, arg.element);
  if (param.kind === 'map' && arg.kind === 'map') return fits(param.key, arg.key) && fits(param.value, arg.value);
  return param.kind === arg.kind && param.name === arg.name;
}

function same(a: CelType, b: CelType): boolean {
  return a.toString() === b.toString();
}

/** Whether one type parameter A can stand for both, as cel-go's checker unifies them. */
function unifies(a: CelType, b: CelType): boolean {
  return fits(a, b) && fits(b, a);
}

const NUMERIC = ['int', 'uint', 'double'];
/** The overloads cel-go's checker leaves out by default: `<` and friends across int, uint and double. */
function crossNumeric(params: readonly CelType[]): boolean {
  const [a, b] = params;
  return !!a && !!b && NUMERIC.includes(a.name) && NUMERIC.includes(b.name) && a.name !== b.name;
}

const OPERATOR_TEXT: Record<string, string> = {
  '_&&_': '&&',
  '_||_': '||',
  '!_': '!',
  '-_': '-',
  '_?_:_': '? :',
  '_+_': '+',
  '_-_': '-',
  '_*_': '*',
  '_/_': '/',
  '_%_': '%',
  '_<_': '<',
  '_<=_': '<=',
  '_>_': '>',
  '_>=_': '>=',
  '_==_': '==',
  '_!=_': '!=',
  '_[_]': '[]',
  '@in': 'in',
};

/** The operator as written in source ("+", "in"), or the function name. */
function operatorText(fn: string): string {
  return OPERATOR_TEXT[fn] ?? fn;
}

class Checker {
  readonly variables: TripVariable[] = [];
  readonly problems: TripProblem[] = [];
  private scopes: Array<Map<string, CelType>> = [];

  constructor(private readonly declarations: Declarations) {}

  typeOf(expr: Expr): CelType {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return constantType(kind.value);
      case 'identExpr':
        return this.ident(kind.value.name);
      case 'selectExpr': {
        const operand = kind.value.operand ? this.typeOf(kind.value.operand) : DYN;
        if (kind.value.testOnly) return BOOL;
        if (operand.kind === 'map') return operand.value;
        if (isDyn(operand) || operand.kind === 'object') return DYN;
        this.problems.push({ kind: 'no-field', field: kind.value.field, of: operand });
        return DYN;
      }
      case 'callExpr':
        return this.call(kind.value.function, kind.value.target, kind.value.args);
      case 'listExpr': {
        const items = kind.value.elements.map((e) => this.typeOf(e));
        const first = items[0];
        return listType(first && items.every((t) => same(t, first)) ? first : DYN);
      }
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.typeOf(entry.keyKind.value);
          if (entry.value) this.typeOf(entry.value);
        }
        return kind.value.messageName ? DYN : mapType(DYN, DYN);
      case 'comprehensionExpr': {
        const c = kind.value;
        const range = c.iterRange ? this.typeOf(c.iterRange) : DYN;
        const accu = c.accuInit ? this.typeOf(c.accuInit) : DYN;
        const element = range.kind === 'list' ? range.element : range.kind === 'map' ? range.key : DYN;
        this.scopes.push(
          new Map([
            [c.iterVar, element],
            [c.accuVar, accu],
          ]),
        );
        for (const part of [c.loopCondition, c.loopStep]) if (part) this.typeOf(part);
        const result = c.result ? this.typeOf(c.result) : DYN;
        this.scopes.pop();
        return result;
      }
      default:
        return DYN;
    }
  }

  private ident(name: string): CelType {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const local = this.scopes[i]?.get(name);
      if (local) return local;
    }
    if (TRIP_ENV.variables.find(name) && (TRIP_VARIABLES as readonly string[]).includes(name)) {
      if (!this.variables.includes(name as TripVariable)) this.variables.push(name as TripVariable);
      return this.declarations.counter;
    }
    if (this.declarations.unknown) return this.declarations.unknown;
    this.problems.push({ kind: 'unknown-identifier', name });
    return DYN;
  }

  private call(fn: string, target: Expr | undefined, argExprs: Expr[]): CelType {
    const targetType = target ? this.typeOf(target) : undefined;
    const args = argExprs.map((a) => this.typeOf(a));
    const operator = operatorText(fn);
    switch (fn) {
      case '_&&_':
      case '_||_':
      case '!_':
      case '@not_strictly_false':
        for (const found of args) if (!fits(BOOL, found)) this.problems.push({ kind: 'not-a-condition', operator, found });
        return BOOL;
      case '_?_:_': {
        const [test, then, otherwise] = args;
        if (test && !fits(BOOL, test)) this.problems.push({ kind: 'not-a-condition', operator, found: test });
        if (!then || !otherwise) return DYN;
        if (this.declarations.parametric && !unifies(then, otherwise)) this.problems.push({ kind: 'no-overload', operator, args });
        return same(then, otherwise) ? then : DYN;
      }
      case '_[_]': {
        const [container, index] = args;
        if (container?.kind === 'list' && index && fits(CelScalar.INT, index)) return container.element;
        if (container?.kind === 'list' && index && fits(CelScalar.UINT, index)) return container.element;
        if (container?.kind === 'map') return container.value;
        if (container && isDyn(container)) return DYN;
        this.problems.push({ kind: 'no-overload', operator, args });
        return DYN;
      }
    }
    if (this.declarations.parametric && ['_==_', '_!=_', '@in'].includes(fn)) {
      const [left, right] = args;
      const other = fn === '@in' ? (right?.kind === 'list' ? right.element : right?.kind === 'map' ? right.key : right) : right;
      if (left && other && !unifies(left, other)) {
        this.problems.push({ kind: 'no-overload', operator, args });
        return BOOL;
      }
    }
    const group = TRIP_ENV.funcs.find(fn);
    if (!group) {
      this.problems.push({ kind: 'unknown-function', name: fn });
      return DYN;
    }
    const matches = [...group].filter(
      (f) =>
        (f.target === undefined) === (targetType === undefined) &&
        (f.target === undefined || targetType === undefined || fits(f.target, targetType)) &&
        f.arguments.length === args.length &&
        f.arguments.every((param, i) => fits(param, args[i] as CelType)) &&
        !(this.declarations.parametric && crossNumeric(f.arguments)),
    );
    const first = matches[0];
    if (!first) {
      const all = targetType ? [targetType, ...args] : args;
      const arithmetic = ['_+_', '_-_', '_*_', '_/_', '_%_', '-_', '_<_', '_<=_', '_>_', '_>=_'].includes(fn);
      if (arithmetic && all.some((t) => same(t, BOOL))) this.problems.push({ kind: 'condition-as-number', operator });
      else this.problems.push({ kind: 'no-overload', operator, args: all });
      return DYN;
    }
    return matches.every((f) => same(f.result, first.result)) ? first.result : DYN;
  }
}

function constantType(c: Constant): CelType {
  switch (c.constantKind.case) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return CelScalar.INT;
    case 'uint64Value':
      return CelScalar.UINT;
    case 'doubleValue':
      return CelScalar.DOUBLE;
    case 'stringValue':
      return CelScalar.STRING;
    case 'bytesValue':
      return CelScalar.BYTES;
    case 'nullValue':
      return CelScalar.NULL;
    default:
      return DYN;
  }
}

/** Type the condition as it runs and as daprd loads it, collecting every problem rather than stopping at the first. */
export function checkTrip(ast: TripAst): TripCheck {
  const run = new Checker(AS_RUN);
  const type = run.typeOf(ast);
  const load = new Checker(AS_DAPRD_LOADS);
  load.typeOf(ast);
  return { type, variables: run.variables, problems: run.problems, loadProblems: load.problems };
}
