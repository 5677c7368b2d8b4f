import type { RunResults, TestResult } from '../results/results-model';
import { describeDeath, type ProcessDeath } from '../targets/deployment';

export const PROCESS_DIED = 'PROCESS_DIED';

/**
 * Turns the deployment's process deaths into the run's record: each is a run-level error naming the process, when
 * and how it ended, and it fails the test that was running (the next one to finish), so the story in progress
 * fails with the death named instead of reading as a bare "fetch failed".
 */
export class DeathRecorder {
  private pending: ProcessDeath[] = [];
  private testsSeen: number;

  constructor(private readonly results: RunResults) {
    this.testsSeen = results.tests.length;
  }

  record(death: ProcessDeath): void {
    this.results.errors.push({ code: PROCESS_DIED, message: describeDeath(death) });
    this.pending.push(death);
  }

  /** Call whenever results may have new tests: the first test that finished after a death carries it. */
  attribute(): void {
    const fresh = this.results.tests.slice(this.testsSeen);
    this.testsSeen = this.results.tests.length;
    const test = fresh[0];
    if (!test || this.pending.length === 0) return;
    failWithDeaths(test, this.pending);
    this.pending = [];
  }
}

function failWithDeaths(test: TestResult, deaths: ProcessDeath[]): void {
  const named = deaths.map(describeDeath).join('; ');
  if (test.status === 'failed') {
    // The suites' HTTP helper may have named the death already.
    const unnamed = deaths.map(describeDeath).filter((d) => !(test.failure?.message ?? '').includes(d));
    if (unnamed.length > 0) test.failure = { ...test.failure, message: `${test.failure?.message ?? 'failed'} — ${unnamed.join('; ')}` };
    return;
  }
  test.status = 'failed';
  delete test.skip;
  test.failure = { message: `a process of the deployment died while this test ran: ${named}` };
}
