/**
 * k6/execution for scripts run under the test runtime. The runner (../k6-script.ts) sets the scenario and VU
 * before each call, as k6 does before each iteration.
 */
export const scenario = {
  name: 'default',
  executor: 'test-runtime',
  startTime: 0,
  progress: 0,
  iterationInInstance: 0,
  iterationInTest: 0,
};

export const vu = {
  idInInstance: 1,
  idInTest: 1,
  iterationInInstance: 0,
  iterationInScenario: 0,
  tags: {} as Record<string, number | string | boolean>,
  metrics: { tags: {} as Record<string, number | string | boolean>, metadata: {} as Record<string, number | string | boolean> },
};

export const instance = { iterationsInterrupted: 0, iterationsCompleted: 0, vusActive: 1, vusInitialized: 1, currentTestRunDuration: 0 };

export const test = {
  abort(message?: string): never {
    throw new Error(`test aborted${message ? `: ${message}` : ''}`);
  },
  fail(message?: string): void {
    throw new Error(`test failed${message ? `: ${message}` : ''}`);
  },
  options: {},
};

export default { scenario, vu, instance, test };
