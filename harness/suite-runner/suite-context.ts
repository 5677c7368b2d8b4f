import type { Deployment } from '../targets/deployment';
import type { ChaosResult } from '../results/results-model';

/**
 * What a suite sees while the harness runs it: the deployment under test, and a place to record the numbers
 * a test measured (they go into results.json beside the test's status).
 */
export interface SuiteContext {
  deployment: Deployment;
  /** Where suites may write artifacts (the run directory). */
  runDir: string;
  /** Adds a chaos probe's expected-vs-observed record to the run's results. */
  recordChaos?: (result: ChaosResult) => void;
}

/**
 * Kept on globalThis: mocha may load suite files through require() while the harness runs as ESM, which gives the
 * suites their own copy of this module; both copies must see the same context.
 */
interface Shared {
  current?: SuiteContext;
  measurements: WeakMap<object, Record<string, number | string | boolean>>;
  skips?: WeakMap<object, SkipReason>;
}
const KEY = Symbol.for('dapr-harness.suite-context');
const shared: Shared = ((globalThis as Record<symbol, Shared | undefined>)[KEY] ??= { measurements: new WeakMap() });
const measurements = shared.measurements;
const skips = (shared.skips ??= new WeakMap());

export function setSuiteContext(ctx: SuiteContext | undefined): void {
  shared.current = ctx;
}

export function suiteContext(): SuiteContext {
  const current = shared.current;
  if (!current) throw new Error('no deployment: suites run through the harness (npm run acceptance), which sets one');
  return current;
}

export function suiteContextOrUndefined(): SuiteContext | undefined {
  return shared.current;
}

export function deployment(): Deployment {
  return suiteContext().deployment;
}

/** Records a measured value on the running test, e.g. `measure(this, 'latencyMs', 12.5)`. */
export function measure(ctx: Mocha.Context, name: string, value: number | string | boolean): void {
  const test = ctx.test;
  if (!test) return;
  const record = measurements.get(test) ?? {};
  record[name] = value;
  measurements.set(test, record);
}

/** Records a chaos probe's comparison; outside a harness run (no session) it is dropped. */
export function recordChaos(result: ChaosResult): void {
  shared.current?.recordChaos?.(result);
}

/**
 * Why a test did not run. A skip is never a pass, and only two things justify one: the user deselected the test
 * (`deselected`), or the target cannot observe what it checks (`not-observable`, e.g. no process control on an
 * external target). A deployment that lacks what a test checks is a failure of that test, never a skip.
 */
export interface SkipReason {
  kind: 'deselected' | 'not-observable';
  reason: string;
}

/** Skips the running test (or every test of the block, from a hook) with a recorded reason. */
export function skipBecause(ctx: Mocha.Context, kind: SkipReason['kind'], reason: string): never {
  const runnable = ctx.currentTest ?? ctx.test;
  if (runnable) skips.set(runnable, { kind, reason });
  // From a before() hook mocha marks every test of the block pending: they find the reason on their parent.
  if (runnable?.parent && ctx.currentTest === undefined && (runnable as { type?: string }).type === 'hook')
    skips.set(runnable.parent, { kind, reason });
  return ctx.skip();
}

export function skipReasonOf(test: Mocha.Runnable): SkipReason | undefined {
  const own = skips.get(test);
  if (own) return own;
  for (let suite = test.parent; suite; suite = suite.parent) {
    const inherited = skips.get(suite);
    if (inherited) return inherited;
  }
  return undefined;
}

export function measurementsOf(test: object): Record<string, number | string | boolean> {
  return measurements.get(test) ?? {};
}
