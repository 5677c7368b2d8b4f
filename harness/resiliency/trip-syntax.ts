import { usageError } from '../errors/harness-error';

/**
 * The CEL grammar, enough of it to read any circuit breaker `trip` condition: literals, identifiers, calls, field
 * selection, indexing, lists, unary/binary operators with CEL's precedence, and the ternary. What it means is
 * trip-expression.ts's business; this only says whether it parses.
 */
export type CelValue =
  | { t: 'int' | 'uint' | 'double'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'string'; v: string }
  | { t: 'null' }
  | { t: 'list'; v: CelValue[] };

export type RelOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type BinaryOp = RelOp | '+' | '-' | '*' | '/' | '%' | '&&' | '||' | 'in';

export type TripNode =
  | { type: 'literal'; value: CelValue }
  | { type: 'ident'; name: string }
  | { type: 'unary'; op: '!' | '-'; operand: TripNode }
  | { type: 'binary'; op: BinaryOp; left: TripNode; right: TripNode }
  | { type: 'conditional'; test: TripNode; then: TripNode; otherwise: TripNode }
  | { type: 'call'; name: string; target?: TripNode; args: TripNode[] }
  | { type: 'select'; operand: TripNode; field: string }
  | { type: 'index'; operand: TripNode; index: TripNode }
  | { type: 'list'; items: TripNode[] };

const SYNTAX_HINT = 'write a CEL condition such as "consecutiveFailures > 5", joining comparisons with && or ||';

type Token = { pos: number; text: string } & (
  | { kind: 'num'; value: CelValue }
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
  return usageError('resiliency.invalid-trip', `trip "${source}" cannot be parsed: ${what} at column ${pos + 1}`, SYNTAX_HINT);
}

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

/** Parse CEL source into a tree; throws a usage error with the column of the first problem. */
export function parseCel(source: string): TripNode {
  return new Parser(source, lex(source)).parse();
}
