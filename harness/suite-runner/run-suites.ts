import { basename, dirname } from 'node:path';
import Mocha from 'mocha';
import type { TestResult } from '../results/results-model';
import { measurementsOf, skipReasonOf } from './suite-context';
import { tagsOf } from './tags';

export interface SuiteRunOptions {
  files: string[];
  grep?: string;
  bail?: boolean;
  timeoutMs?: number;
  /** Aborting it stops the run after the current test; the results so far are returned (partial). */
  signal?: AbortSignal;
  onTestEnd?: (result: TestResult) => void;
}

export interface SuiteRunOutcome {
  tests: TestResult[];
  interrupted: boolean;
}

const SETUP_HOOK = /^"(before all|before each)" hook/;

/**
 * Runs mocha suites in this process (so they share the live Deployment handle) and turns every test into a
 * TestResult as it finishes, so an interrupted run still has everything that ran. When a setup hook fails, mocha
 * never runs the tests it guards: each of them is recorded as failed with the hook's error, so no test of a story
 * vanishes from the record because its setup broke.
 */
export async function runSuites(opts: SuiteRunOptions): Promise<SuiteRunOutcome> {
  const mocha = new Mocha({ reporter: Mocha.reporters.Base, timeout: opts.timeoutMs ?? 60_000, bail: opts.bail ?? false });
  if (opts.grep) mocha.grep(opts.grep);
  for (const file of opts.files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const tests: TestResult[] = [];
  const recorded = new Set<Mocha.Runnable>();
  let interrupted = false;

  return new Promise<SuiteRunOutcome>((resolve) => {
    const runner = mocha.run(() => {
      mocha.unloadFiles();
      resolve({ tests, interrupted });
    });
    const onAbort = (): void => {
      interrupted = true;
      runner.abort();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // The same test mocha applies: mocha.grep(string) compiles the pattern into options.grep.
    const grep = mocha.options.grep instanceof RegExp ? mocha.options.grep : undefined;
    const selected = (t: Mocha.Test): boolean => grep === undefined || grep.test(t.fullTitle());
    const push = (test: Mocha.Runnable, status: TestResult['status'], err?: Error, titlePrefix = ''): void => {
      recorded.add(test);
      const suitePath = test.titlePath().slice(0, -1);
      const result: TestResult = {
        id: test.fullTitle(),
        title: test.title,
        suitePath,
        tags: tagsOf(test.titlePath()),
        area: areaOf(test.file),
        status,
        durationMs: test.duration ?? 0,
        measurements: measurementsOf(test),
      };
      if (err) result.failure = { message: `${titlePrefix}${err.message ?? String(err)}`, stack: err.stack };
      if (status === 'skipped')
        result.skip = skipReasonOf(test) ?? {
          kind: 'unexplained',
          reason: 'skipped without a recorded reason (it.skip or this.skip() in the suite)',
        };
      tests.push(result);
      opts.onTestEnd?.(result);
    };
    runner.on('pass', (test) => push(test, 'passed'));
    runner.on('fail', (runnable, err: Error) => {
      const guarded =
        SETUP_HOOK.test(runnable.title) && runnable.parent
          ? testsOf(runnable.parent).filter((t) => !recorded.has(t) && !t.isPending() && selected(t))
          : [];
      if (guarded.length === 0) {
        // A test, or a hook that guards nothing left to run (an after hook): record it under its own title.
        push(runnable, 'failed', err);
        return;
      }
      for (const test of guarded) push(test, 'failed', err, `setup failed (${runnable.title.replace(/ for ".*"$/, '')}): `);
    });
    runner.on('pending', (test) => push(test, 'skipped'));
  });
}

/** Every test in a suite and its nested suites, deselected ones included. */
function testsOf(suite: Mocha.Suite): Mocha.Test[] {
  return [...suite.tests, ...suite.suites.flatMap(testsOf)];
}

/** suites/<area>/x.suite.ts → area (acceptance, security, chaos, …). */
function areaOf(file: string | undefined): string | undefined {
  return file ? basename(dirname(file)) : undefined;
}
