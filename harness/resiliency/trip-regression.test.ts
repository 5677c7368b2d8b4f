import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HarnessError } from '../errors/harness-error';
import { parseTripCel } from './cel/trip-cel';
import { DEFAULT_TRIP, evaluateTrip, parseTripExpression, tripPoint, type BreakerCounts } from './trip-expression';

/**
 * Every trip condition the repository carries, and every expression the hand-written CEL evaluator was tested on
 * before @bufbuild/cel replaced it, with what daprd (cel-go) decides for each: a plain TypeScript statement of the
 * decision over a grid of breaker counts, the trip point under persistent failure, or the reason it is refused.
 * When the two implementations were compared they disagreed only where the old one was wrong by cel-go: int64
 * overflow (cF*cF for cF past 3037000499 is an error, so no trip), size() and field selection (which it did not
 * evaluate), a ternary of double and int and "a" < 1 (which cel-go's checker, and so daprd, refuses), and `{}`
 * (valid CEL syntax it refused to parse).
 */

const INT64_MAX = 2n ** 63n - 1n;
/** CEL's int64 product: undefined where cel-go reports "integer overflow". */
const times = (a: number, b: number): bigint | undefined => {
  const p = BigInt(a) * BigInt(b);
  return p > INT64_MAX || p < -INT64_MAX - 1n ? undefined : p;
};
/** CEL's int64 division, truncating; undefined for division by zero, which is an error. */
const divide = (a: number | bigint, b: number): bigint | undefined => (b === 0 ? undefined : BigInt(a) / BigInt(b));

type Decision = (c: BreakerCounts) => boolean;
/** After how many failures in a row a fresh breaker opens, as tripPoint says. */
type Expected = number | 'never' | 'unknown';

const ACCEPTED: Array<[string, Decision, Expected]> = [
  [DEFAULT_TRIP, (c) => c.consecutiveFailures > 5, 6],
  ['consecutiveFailures > 8', (c) => c.consecutiveFailures > 8, 9],
  ['consecutiveFailures >= 2', (c) => c.consecutiveFailures >= 2, 2],
  ['consecutiveFailures >= 3', (c) => c.consecutiveFailures >= 3, 3],
  ['consecutiveFailures > 4', (c) => c.consecutiveFailures > 4, 5],
  ['consecutiveFailures > 20', (c) => c.consecutiveFailures > 20, 21],
  ['totalFailures >= 4', (c) => c.totalFailures >= 4, 4],
  ['requests > 2', (c) => c.requests > 2, 3],
  ['consecutiveFailures > 10', (c) => c.consecutiveFailures > 10, 11],
  ['consecutiveFailures >= 4', (c) => c.consecutiveFailures >= 4, 4],
  ['consecutiveFailures >= 5', (c) => c.consecutiveFailures >= 5, 5],
  ['consecutiveFailures > 0', (c) => c.consecutiveFailures > 0, 1],
  ['consecutiveFailures == 3', (c) => c.consecutiveFailures === 3, 3],
  ['requests > 5', (c) => c.requests > 5, 6],
  ['totalFailures >3', (c) => c.totalFailures > 3, 4],
  ['5 < consecutiveFailures', (c) => c.consecutiveFailures > 5, 6],
  ['requests > 10 && totalFailures > 3', (c) => c.requests > 10 && c.totalFailures > 3, 11],
  ['consecutiveFailures > 8 || totalFailures >= 4', (c) => c.consecutiveFailures > 8 || c.totalFailures >= 4, 4],
  ['!(consecutiveFailures <= 2)', (c) => c.consecutiveFailures > 2, 3],
  [
    '(requests > 2 || totalFailures > 100) && consecutiveFailures >= 2',
    (c) => (c.requests > 2 || c.totalFailures > 100) && c.consecutiveFailures >= 2,
    3,
  ],
  ['consecutiveFailures > 2 && consecutiveFailures < 5', (c) => c.consecutiveFailures > 2 && c.consecutiveFailures < 5, 3],
  ['consecutiveFailures != 1', (c) => c.consecutiveFailures !== 1, 2],
  ['consecutiveFailures * 2 > 9', (c) => c.consecutiveFailures * 2 > 9, 5],
  ['consecutiveFailures + 1 >= 4', (c) => c.consecutiveFailures + 1 >= 4, 3],
  ['consecutiveFailures - 10 > -5', (c) => c.consecutiveFailures - 10 > -5, 6],
  ['-consecutiveFailures < -3', (c) => -c.consecutiveFailures < -3, 4],
  ['consecutiveFailures > 1000000', (c) => c.consecutiveFailures > 1_000_000, 1_000_001],
  ['double(totalFailures) >= 2.5', (c) => c.totalFailures >= 2.5, 3],
  ['consecutiveFailures > 4 ? true : false', (c) => c.consecutiveFailures > 4, 5],
  [
    'requests >= 4 && totalFailures * 100 / requests >= 50',
    (c) => c.requests >= 4 && (divide(c.totalFailures * 100, c.requests) ?? -1n) >= 50n,
    4,
  ],
  ['double(totalFailures) / double(requests) > 0.5 && requests > 9', (c) => c.totalFailures / c.requests > 0.5 && c.requests > 9, 10],
  ['consecutiveFailures % 7 == 0', (c) => c.consecutiveFailures % 7 === 0, 7],
  ['consecutiveFailures in [2, 4]', (c) => [2, 4].includes(c.consecutiveFailures), 2],
  ['consecutiveSuccesses > 3', (c) => c.consecutiveSuccesses > 3, 'never'],
  ['totalSuccesses > 1', (c) => c.totalSuccesses > 1, 'never'],
  ['totalSuccesses >= 1 && totalFailures > 1', (c) => c.totalSuccesses >= 1 && c.totalFailures > 1, 'never'],
  ['false', () => false, 'never'],
  ['consecutiveFailures < 0', () => false, 'never'],
  ['consecutiveFailures == 2.5', () => false, 'never'],
  ['size([1, 2]) < consecutiveFailures', (c) => c.consecutiveFailures > 2, 3],
  // 31623² is the first square past 10⁹, beyond the search; past cF = 3037000499 the square overflows int64.
  [
    'consecutiveFailures * consecutiveFailures > 1000000000',
    (c) => (times(c.consecutiveFailures, c.consecutiveFailures) ?? 0n) > 1_000_000_000n,
    'unknown',
  ],
  ['true', () => true, 1],
  ['consecutiveFailures >= 0', () => true, 1],
  ['consecutiveSuccesses == 0', (c) => c.consecutiveSuccesses === 0, 1],
  ['requests > 3 && totalFailures > 1 && requests < 100', (c) => c.requests > 3 && c.totalFailures > 1 && c.requests < 100, 4],
  ['requests > 5 && totalFailures * 2 > requests', (c) => c.requests > 5 && c.totalFailures * 2 > c.requests, 6],
  ['totalFailures / requests > 0', (c) => (divide(c.totalFailures, c.requests) ?? 0n) > 0n, 1],
  ['size([1]) < requests', (c) => c.requests > 1, 2],
  ['consecutiveFailures > 2.5', (c) => c.consecutiveFailures > 2.5, 3],
  ['consecutiveFailures == 3u', (c) => c.consecutiveFailures === 3, 3],
  ['totalFailures / requests > 0 || true', () => true, 1],
  ['true || totalFailures / requests > 0', () => true, 1],
  ['totalFailures / requests > 0 && false', () => false, 'never'],
  ['totalFailures / requests > 0 && true', (c) => (divide(c.totalFailures, c.requests) ?? 0n) > 0n, 1],
  ['size([1]) > 0', () => true, 1],
  ['false && size([1]) > 0', () => false, 'never'],
];

/** Refused, with a piece of the message that says why. */
const REJECTED: Array<[string, string]> = [
  ['consecutiveFailure > 5', 'did you mean "consecutiveFailures"'],
  ['consecutiveFailure > 8', 'did you mean "consecutiveFailures"'],
  ['failures > 3', '"failures", which is not a circuit breaker counter'],
  ['consecutiveFailures', 'is an int, not a true/false condition'],
  ['consecutiveFailures + 5', 'is an int, not a true/false condition'],
  ['"open"', 'is a string, not a true/false condition'],
  ['consecutiveFailures > 5 > 3', 'compares a condition with ">"'],
  ['consecutiveFailures && requests > 3', 'joins an int with "&&"'],
  ['!consecutiveFailures', '"!" needs a condition'],
  ['(requests > 2) + 1 > 0', 'does arithmetic ("+") on a condition'],
  ['consecutiveFailures + 1.5 > 3', 'does int + double'],
  ['totalFailures / 2.0 > 3', 'does int / double'],
  ['  ', 'trip is empty'],
  ['consecutiveFailures >', 'cannot be parsed'],
  ['consecutiveFailures + (true ? 1.5 : 1) > 3', 'does not compile in daprd'],
  ['"a" < 1', 'applies "<" to (string, int)'],
  ['requests.count > 0', 'field "count" of an int'],
  ['totalFailures + 1', 'is an int'],
  ['totalFailures / 2', 'is an int'],
  ['-7 / 2', 'is an int'],
  ['-7 % 3', 'is an int'],
  ['3 % 0', 'is an int'],
  ['totalFailures / requests', 'is an int'],
  ['0u - 1u', 'is a uint'],
  ['double(totalFailures) / double(requests)', 'is a double'],
  ['consecutiveFailures + 1.5', 'does int + double'],
  ['1.5 % 1.0', 'applies "%" to (double, double)'],
  ['!requests', '"!" needs a condition'],
  ['requests && true', 'joins an int with "&&"'],
  ['{}', 'is a map(dyn, dyn), not a true/false condition'],
];

/** Whether the source is CEL syntax at all, for what the old parser's tests read. */
const SYNTAX: Array<[string, boolean]> = [
  ['a > 1 || b > 2 && c > 3', true],
  ['a + 2 * b > -3', true],
  ['0x1F', true],
  ['5u', true],
  ['2.5e1', true],
  ['.5', true],
  ['"a\\"b"', true],
  ['null', true],
  ['[1, 2,]', true],
  ['double(x)', true],
  ['a.b.size()', true],
  ['l[0]', true],
  ['x in [1]', true],
  ['a ? b : c ? d : e', true],
  ['{}', true],
  ['consecutiveFailures > 5)', false],
  ['(consecutiveFailures > 5', false],
  ['consecutiveFailures >> 5', false],
  ['consecutiveFailures > 5 and requests > 2', false],
  ['consecutiveFailures # 5', false],
  ['consecutiveFailures > "5', false],
  ['a ? b', false],
  ['a >', false],
];

const MAX_COUNT = 4_294_967_295;
const VALUES = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 100, 3_037_000_500, MAX_COUNT];

/** Counts a gobreaker breaker can hold: requests = successes + failures within uint32, at most one streak running. */
function grid(): BreakerCounts[] {
  const out: BreakerCounts[] = [];
  for (const totalSuccesses of VALUES) {
    for (const totalFailures of VALUES) {
      const requests = totalSuccesses + totalFailures;
      if (requests > MAX_COUNT) continue;
      out.push({ requests, totalSuccesses, totalFailures, consecutiveSuccesses: 0, consecutiveFailures: 0 });
      for (const c of VALUES.filter((v) => v > 0 && v <= totalFailures))
        out.push({ requests, totalSuccesses, totalFailures, consecutiveSuccesses: 0, consecutiveFailures: c });
      for (const c of VALUES.filter((v) => v > 0 && v <= totalSuccesses))
        out.push({ requests, totalSuccesses, totalFailures, consecutiveSuccesses: c, consecutiveFailures: 0 });
    }
  }
  return out;
}

const REPO = join(import.meta.dirname, '..', '..');

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : filesUnder(join(dir, e.name), keep)) : keep(e.name) ? [join(dir, e.name)] : [],
  );
}

/** `trip:` values in resiliency YAML and fixtures, and in the YAML and policy literals of harness/resiliency tests. */
function repositoryTrips(): Array<{ source: string; file: string }> {
  const found: Array<{ source: string; file: string }> = [];
  const add = (source: string, file: string) =>
    found.push({ source: source.trim().replace(/^(["'])(.*)\1$/, '$2'), file: relative(REPO, file) });
  for (const root of ['dapr-components', 'k8s', 'test', 'suites', 'harness/resiliency/fixtures']) {
    for (const file of filesUnder(join(REPO, root), (n) => /\.ya?ml$/.test(n)))
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*trip:\s*(.+?)\s*$/gm)) add(m[1] as string, file);
  }
  for (const file of filesUnder(import.meta.dirname, (n) => n.endsWith('.test.ts'))) {
    if (relative(import.meta.dirname, file).includes('/') || file === import.meta.filename) continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of [/trip: '([^']+)'/g, /trip: ([^'`$\\\n]+)\\n/g, /^\s+trip: ([^'`$\\\n]+)$/gm])
      for (const m of text.matchAll(pattern)) add(m[1] as string, file);
  }
  return found;
}

function rejection(source: string): string {
  try {
    parseTripExpression(source);
  } catch (err) {
    expect(err, source).to.be.instanceOf(HarnessError);
    return (err as HarnessError).message;
  }
  throw new Error(`expected "${source}" to be refused`);
}

const show = (c: BreakerCounts) => JSON.stringify(c);

describe('trip conditions: what daprd decides, for every condition the repository carries', () => {
  const counts = grid();

  it('covers every trip condition in the repository', () => {
    const found = repositoryTrips();
    expect(found.map((f) => f.file)).to.include.members([
      'dapr-components/resiliency.yaml',
      'k8s/components/resiliency.yaml',
      'harness/resiliency/fixtures/docs-targets.yaml',
    ]);
    const known = new Set([...ACCEPTED.map(([s]) => s), ...REJECTED.map(([s]) => s)]);
    const missing = found.filter((f) => !known.has(f.source)).map((f) => `${f.file}: ${f.source}`);
    expect(missing, 'add these to ACCEPTED or REJECTED').to.deep.equal([]);
  });

  for (const [source, decision, expected] of ACCEPTED) {
    it(`"${source}": trips where cel-go does, and ${typeof expected === 'number' ? `after ${expected} failures in a row` : expected}`, () => {
      const expr = parseTripExpression(source);
      const wrong = counts.filter((c) => evaluateTrip(expr, c) !== decision(c));
      expect(wrong.slice(0, 3).map(show), `${wrong.length} of ${counts.length} counts decided wrongly`).to.deep.equal([]);
      const point = tripPoint(expr);
      expect(point.kind === 'trips' ? point.afterFailures : point.kind).to.equal(expected);
    });
  }

  it('refuses the conditions daprd would never trip on or would not load, saying why', () => {
    for (const [source, why] of REJECTED) expect(rejection(source), source).to.contain(why);
  });

  it('reads CEL syntax as CEL does', () => {
    for (const [source, parses] of SYNTAX) {
      let ok = true;
      try {
        parseTripCel(source);
      } catch {
        ok = false;
      }
      expect(ok, source).to.equal(parses);
    }
  });
});
