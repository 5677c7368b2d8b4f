import { recording } from './recorder';

/** The `k6` module for scripts run under the test runtime. */
export function check<T>(value: T, sets: Record<string, (v: T) => boolean>, _tags?: object): boolean {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const passed = Boolean(fn(value));
    recording.checks.push({ name, passed });
    all &&= passed;
  }
  return all;
}

export function fail(message?: string): never {
  throw new Error(message ?? 'fail()');
}

export function group<T>(_name: string, fn: () => T): T {
  return fn();
}

const tick = new Int32Array(new SharedArrayBuffer(4));

/** Blocks like k6's sleep(): k6 code is synchronous, and so is everything the test runtime offers it. */
export function sleep(seconds: number): void {
  if (seconds > 0) Atomics.wait(tick, 0, 0, seconds * 1000);
}

export default { check, fail, group, sleep };
