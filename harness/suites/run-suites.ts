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

/**
 * Runs mocha suites in this process (so they share the live Deployment handle) and turns every test into a
 * TestResult as it finishes, so an interrupted run still has everything that ran.
 */
export async function runSuites(opts: SuiteRunOptions): Promise<SuiteRunOutcome> {
  const mocha = new Mocha({ reporter: Mocha.reporters.Base, timeout: opts.timeoutMs ?? 60_000, bail: opts.bail ?? false });
  if (opts.grep) mocha.grep(opts.grep);
  for (const file of opts.files) mocha.addFile(file);
  await mocha.loadFilesAsync();
  const tests: TestResult[] = [];
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
    const push = (test: Mocha.Test, status: TestResult['status'], err?: Error): void => {
      const suitePath = test.titlePath().slice(0, -1);
      const result: TestResult = {
        id: test.fullTitle(),
        title: test.title,
        suitePath,
        tags: tagsOf(test.titlePath()),
        status,
        durationMs: test.duration ?? 0,
        measurements: measurementsOf(test),
      };
      if (err) result.failure = { message: err.message ?? String(err), stack: err.stack };
      if (status === 'skipped') result.skip = skipReasonOf(test) ?? { kind: 'unexplained', reason: 'skipped without a recorded reason (it.skip or this.skip() in the suite)' };
      tests.push(result);
      opts.onTestEnd?.(result);
    };
    runner.on('pass', (test) => push(test, 'passed'));
    runner.on('fail', (test, err: Error) => {
      // A failing hook fails the tests it guards; record it under the hook's title.
      push(test as Mocha.Test, 'failed', err);
    });
    runner.on('pending', (test) => push(test, 'skipped'));
  });
}
