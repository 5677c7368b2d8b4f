import { usageError } from '../errors/harness-error';

/**
 * A circuit breaker's `trip` condition: a CEL expression daprd evaluates over the breaker's counts each time a call
 * fails while the breaker is closed. We parse the CEL grammar, evaluate the arithmetic/logic subset trip conditions
 * use, and work out after how many failures it opens.
 *
 * Why stricter than daprd: daprd declares every unknown identifier as a dynamic variable, so a misspelt
 * `consecutiveFailure > 5` loads fine and then never trips (evaluation errors count as "do not trip"). We reject
 * that, and conditions that are not true/false at all, because either one silently disables the breaker.
 */
export const TRIP_VARIABLES = ['requests', 'totalSuccesses', 'totalFailures', 'consecutiveSuccesses', 'consecutiveFailures'] as const;
export type TripVariable = (typeof TRIP_VARIABLES)[number];
export type BreakerCounts = Record<TripVariable, number>;

/** gobreaker's ReadyToTrip when a policy gives no `trip`. */
export const DEFAULT_TRIP = 'consecutiveFailures > 5';

/** How far a condition the analysis cannot solve is searched, failure by failure. */
export const TRIP_SEARCH_LIMIT = 10_000;

type Value =
  | { t: 'int' | 'uint' | 'double'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'string'; v: string }
  | { t: 'null' }
  | { t: 'list'; v: Value[] };
type Outcome = Value | { t: 'error'; why: string } | { t: 'unsupported'; what: string };

type RelOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
type BinaryOp = RelOp | '+' | '-' | '*' | '/' | '%' | '&&' | '||' | 'in';

export type TripNode =
  | { type: 'literal'; value: Value }
  | { type: 'ident'; name: string }
  | { type: 'unary'; op: '!' | '-'; operand: TripNode }
  | { type: 'binary'; op: BinaryOp; left: TripNode; right: TripNode }
  | { type: 'conditional'; test: TripNode; then: TripNode; otherwise: TripNode }
  | { type: 'call'; name: string; target?: TripNode; args: TripNode[] }
  | { type: 'select'; operand: TripNode; field: string }
  | { type: 'index'; operand: TripNode; index: TripNode }
  | { type: 'list'; items: TripNode[] };

export interface TripExpression {
  source: string;
  ast: TripNode;
  /** Counters the condition reads, in the order they first appear. */
  variables: TripVariable[];
}

/**
 * When the breaker opens if every call fails, starting from a fresh (closed, cleared) breaker: at the k-th failure
 * requests = totalFailures = consecutiveFailures = k and both success counts are 0.
 */
export type TripPoint =
  | { kind: 'trips'; afterFailures: number; method: 'solved' | 'searched' }
  | { kind: 'never'; reason: string }
  | { kind: 'unknown'; reason: string };

const TRIP_HINT = `write a CEL condition over ${TRIP_VARIABLES.join(', ')}, e.g. "consecutiveFailures > 5"`;

// ---------------------------------------------------------------- lexing

type Token = { pos: number; text: string } & (
  | { kind: 'num'; value: Value }
  | { kind: 'str'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'end' }
);

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}', '?', ':', ',', '.'];

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const hex = /^0[xX][0-9a-fA-F]+([uU])?/.exec(rest);
    const float = /^(\d+\.\d+([eE][-+]?\d+)?|\d+[eE][-+]?\d+|\.\d+([eE][-+]?\d+)?)/.exec(rest);
    const int = /^\d+([uU])?/.exec(rest);
    if (hex) {
      tokens.push({ kind: 'num', value: { t: hex[1] ? 'uint' : 'int', v: parseInt(hex[0].replace(/[uU]$/, '').slice(2), 16) }, pos: i, text: hex[0] });
      i += hex[0].length;
    } else if (float) {
      tokens.push({ kind: 'num', value: { t: 'double', v: Number(float[0]) }, pos: i, text: float[0] });
      i += float[0].length;
    } else if (int) {
      tokens.push({ kind: 'num', value: { t: int[1] ? 'uint' : 'int', v: Number(int[0].replace(/[uU]$/, '')) }, pos: i, text: int[0] });
      i += int[0].length;
    } else if (/^[A-Za-z_]/.test(rest)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0] ?? '';
      tokens.push({ kind: 'ident', value: word, pos: i, text: word });
      i += word.length;
    } else if (rest.startsWith('"') || rest.startsWith("'")) {
      const quote = rest[0] as string;
      let j = 1;
      let text = '';
      while (j < rest.length && rest[j] !== quote) {
        if (rest[j] === '\\' && j + 1 < rest.length) {
          const escaped = rest[j + 1] as string;
          text += ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[escaped] ?? escaped;
          j += 2;
        } else {
          text += rest[j];
          j += 1;
        }
      }
      if (j >= rest.length) throw syntax(source, i, 'a string is not closed');
      tokens.push({ kind: 'str', value: text, pos: i, text: rest.slice(0, j + 1) });
      i += j + 1;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) throw syntax(source, i, `unexpected character "${rest[0]}"`);
      if (op === '{' || op === '}') throw syntax(source, i, 'map literals have no place in a trip condition');
      tokens.push({ kind: 'op', value: op, pos: i, text: op });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', pos: source.length, text: '' });
  return tokens;
}

function syntax(source: string, pos: number, what: string): Error {
  return usageError('resiliency.invalid-trip', `trip "${source}" cannot be parsed: ${what} at column ${pos + 1}`, TRIP_HINT);
}

// ---------------------------------------------------------------- parsing (CEL precedence)

class Parser {
  private i = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): TripNode {
    const node = this.expr();
    const next = this.peek();
    if (next.kind !== 'end') throw this.unexpected(next);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.value);
  }

  private take(): Token {
    const t = this.peek();
    this.i += 1;
    return t;
  }

  private expect(op: string): void {
    if (!this.isOp(op)) throw this.unexpected(this.peek(), `"${op}"`);
    this.i += 1;
  }

  private unexpected(t: Token, wanted?: string): Error {
    const found = t.kind === 'end' ? 'the end of the expression' : `"${t.text}"`;
    return syntax(this.source, t.pos, wanted ? `expected ${wanted} but found ${found}` : `unexpected ${found}`);
  }

  private expr(): TripNode {
    const test = this.or();
    if (!this.isOp('?')) return test;
    this.take();
    const then = this.or();
    this.expect(':');
    const otherwise = this.expr();
    return { type: 'conditional', test, then, otherwise };
  }

  private or(): TripNode {
    let left = this.and();
    while (this.isOp('||')) {
      this.take();
      left = { type: 'binary', op: '||', left, right: this.and() };
    }
    return left;
  }

  private and(): TripNode {
    let left = this.relation();
    while (this.isOp('&&')) {
      this.take();
      left = { type: 'binary', op: '&&', left, right: this.relation() };
    }
    return left;
  }

  private relation(): TripNode {
    let left = this.addition();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.value)) {
        this.take();
        left = { type: 'binary', op: t.value as RelOp, left, right: this.addition() };
      } else if (t.kind === 'ident' && t.value === 'in') {
        this.take();
        left = { type: 'binary', op: 'in', left, right: this.addition() };
      } else {
        return left;
      }
    }
  }

  private addition(): TripNode {
    let left = this.multiplication();
    while (this.isOp('+', '-')) {
      const op = this.take() as { value: '+' | '-' };
      left = { type: 'binary', op: op.value, left, right: this.multiplication() };
    }
    return left;
  }

  private multiplication(): TripNode {
    let left = this.unary();
    while (this.isOp('*', '/', '%')) {
      const op = this.take() as { value: '*' | '/' | '%' };
      left = { type: 'binary', op: op.value, left, right: this.unary() };
    }
    return left;
  }

  private unary(): TripNode {
    if (this.isOp('!', '-')) {
      const op = this.take() as { value: '!' | '-' };
      const operand = this.unary();
      // CEL folds a minus into a numeric literal, so -9223372036854775808 and `-5` are literals.
      if (op.value === '-' && operand.type === 'literal' && (operand.value.t === 'int' || operand.value.t === 'double')) {
        return { type: 'literal', value: { t: operand.value.t, v: -operand.value.v } };
      }
      return { type: 'unary', op: op.value, operand };
    }
    return this.member();
  }

  private member(): TripNode {
    let node = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.take();
        const field = this.take();
        if (field.kind !== 'ident') throw this.unexpected(field, 'a field name');
        if (this.isOp('(')) {
          node = { type: 'call', name: field.value, target: node, args: this.args() };
        } else {
          node = { type: 'select', operand: node, field: field.value };
        }
      } else if (this.isOp('[')) {
        this.take();
        const index = this.expr();
        this.expect(']');
        node = { type: 'index', operand: node, index };
      } else {
        return node;
      }
    }
  }

  private args(): TripNode[] {
    this.expect('(');
    const args: TripNode[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) {
        this.take();
        args.push(this.expr());
      }
    }
    this.expect(')');
    return args;
  }

  private primary(): TripNode {
    const t = this.peek();
    if (t.kind === 'num') {
      this.take();
      return { type: 'literal', value: t.value };
    }
    if (t.kind === 'str') {
      this.take();
      return { type: 'literal', value: { t: 'string', v: t.value } };
    }
    if (t.kind === 'ident') {
      this.take();
      if (t.value === 'true' || t.value === 'false') return { type: 'literal', value: { t: 'bool', v: t.value === 'true' } };
      if (t.value === 'null') return { type: 'literal', value: { t: 'null' } };
      if (t.value === 'in') throw this.unexpected(t);
      if (this.isOp('(')) return { type: 'call', name: t.value, args: this.args() };
      return { type: 'ident', name: t.value };
    }
    if (this.isOp('(')) {
      this.take();
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    if (this.isOp('[')) {
      this.take();
      const items: TripNode[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(',')) break;
        this.take();
      }
      this.expect(']');
      return { type: 'list', items };
    }
    throw this.unexpected(t, 'a value');
  }
}

// ---------------------------------------------------------------- static checks

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
        const near = closest(node.name, TRIP_VARIABLES);
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

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(word.length / 3)) ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Parse and check a trip condition; throws a usage error naming the problem. */
export function parseTripExpression(source: string): TripExpression {
  if (source.trim() === '') throw usageError('resiliency.invalid-trip', 'trip is empty', `leave it out for the default "${DEFAULT_TRIP}", or ${TRIP_HINT}`);
  const ast = new Parser(source, lex(source)).parse();
  const variables: TripVariable[] = [];
  check(ast, source, variables);
  const kind = kindOf(ast);
  if (kind !== 'bool' && kind !== 'unknown') {
    throw usageError('resiliency.invalid-trip', `trip "${source}" is a ${kind}, not a true/false condition, so daprd never trips on it`, TRIP_HINT);
  }
  return { source, ast, variables };
}

// ---------------------------------------------------------------- evaluation (CEL semantics for this subset)

const isNum = (v: Outcome): v is { t: 'int' | 'uint' | 'double'; v: number } => v.t === 'int' || v.t === 'uint' || v.t === 'double';
const err = (why: string): Outcome => ({ t: 'error', why });

function evaluate(node: TripNode, counts: BreakerCounts): Outcome {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'ident':
      return { t: 'int', v: counts[node.name as TripVariable] };
    case 'unary': {
      const v = evaluate(node.operand, counts);
      if (v.t === 'error' || v.t === 'unsupported') return v;
      if (node.op === '!') return v.t === 'bool' ? { t: 'bool', v: !v.v } : err('no such overload: !');
      return v.t === 'int' || v.t === 'double' ? { t: v.t, v: -v.v } : err('no such overload: -');
    }
    case 'binary':
      return binary(node.op, node.left, node.right, counts);
    case 'conditional': {
      const test = evaluate(node.test, counts);
      if (test.t === 'error' || test.t === 'unsupported') return test;
      if (test.t !== 'bool') return err('no such overload: ?:');
      return evaluate(test.v ? node.then : node.otherwise, counts);
    }
    case 'call':
      return call(node, counts);
    case 'list': {
      const items: Value[] = [];
      for (const item of node.items) {
        const v = evaluate(item, counts);
        if (v.t === 'error' || v.t === 'unsupported') return v;
        items.push(v);
      }
      return { t: 'list', v: items };
    }
    case 'index': {
      const list = evaluate(node.operand, counts);
      const index = evaluate(node.index, counts);
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
  const v = evaluate(node.args[0] as TripNode, counts);
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
    const l = evaluate(leftNode, counts);
    if (l.t === 'bool' && l.v === decisive) return l;
    const r = evaluate(rightNode, counts);
    if (r.t === 'bool' && r.v === decisive) return r;
    for (const side of [l, r]) if (side.t === 'unsupported') return side;
    for (const side of [l, r]) if (side.t === 'error') return side;
    if (l.t === 'bool' && r.t === 'bool') return { t: 'bool', v: !decisive };
    return err(`no such overload: ${op}`);
  }
  const l = evaluate(leftNode, counts);
  if (l.t === 'error' || l.t === 'unsupported') return l;
  const r = evaluate(rightNode, counts);
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

function arithmetic(op: '+' | '-' | '*' | '/' | '%', l: Value, r: Value): Outcome {
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

function equal(l: Value, r: Value): boolean {
  if (isNum(l) && isNum(r)) return l.v === r.v;
  if (l.t !== r.t) return false;
  if (l.t === 'list' && r.t === 'list') return l.v.length === r.v.length && l.v.every((item, i) => equal(item, r.v[i] as Value));
  return 'v' in l && 'v' in r ? l.v === r.v : true;
}

function compare(l: Value, r: Value): number | undefined {
  if (isNum(l) && isNum(r)) return l.v - r.v;
  if (l.t === 'string' && r.t === 'string') return l.v < r.v ? -1 : l.v > r.v ? 1 : 0;
  if (l.t === 'bool' && r.t === 'bool') return Number(l.v) - Number(r.v);
  return undefined;
}

/**
 * Whether the breaker would open on a failure with these counts. Errors count as "do not trip", as in daprd;
 * `undefined` means the condition uses CEL the harness does not evaluate.
 */
export function evaluateTrip(expr: TripExpression, counts: BreakerCounts): boolean | undefined {
  const out = evaluate(expr.ast, counts);
  if (out.t === 'unsupported') return undefined;
  return out.t === 'bool' && out.v;
}

// ---------------------------------------------------------------- trip point

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

export function persistentFailureCounts(failures: number): BreakerCounts {
  return { requests: failures, totalFailures: failures, consecutiveFailures: failures, totalSuccesses: 0, consecutiveSuccesses: 0 };
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
    const trips = evaluateTrip(expr, persistentFailureCounts(k));
    if (trips === undefined) return { kind: 'unknown', reason: `"${expr.source}" uses CEL the harness does not evaluate` };
    if (trips) return { kind: 'trips', afterFailures: k, method: 'searched' };
  }
  return { kind: 'unknown', reason: `"${expr.source}" does not hold within ${TRIP_SEARCH_LIMIT} failures in a row and is not linear in the counters` };
}
