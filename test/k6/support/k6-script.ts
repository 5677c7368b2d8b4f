import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as execution from './k6-runtime/execution';
import { sent } from './k6-runtime/http';
import { recording, resetRecording } from './k6-runtime/recorder';

/**
 * Runs k6 scripts in Node for tests: `k6`, `k6/http`, `k6/metrics` and `k6/execution` resolve to the small
 * runtime in ./k6-runtime (real HTTP, recorded metrics), `__ENV` and `open()` are globals as in k6. It runs
 * init code, setup(), iterations and teardown() the way one k6 instance would, one call at a time; arrival
 * rates and parallelism are k6's business and are not imitated.
 */
const RUNTIME = ['k6', 'k6/http', 'k6/metrics', 'k6/execution'] as const;

function runtimeUrl(specifier: string): string {
  return new URL(`./k6-runtime/${specifier === 'k6' ? 'k6' : specifier.slice(3)}.ts`, import.meta.url).href;
}

let registered = false;

function registerRuntime(): void {
  if (registered) return;
  registered = true;
  const map = Object.fromEntries(RUNTIME.map((s) => [s, runtimeUrl(s)]));
  // Only `k6` specifiers are rewritten, and still resolved by the hooks after this one (tsx compiles them).
  const hooks = `const map = ${JSON.stringify(map)};
export async function resolve(specifier, context, next) {
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    if (!map[specifier]) throw new Error('the k6 test runtime has no module ' + specifier + ': add it under test/k6/support/k6-runtime');
    return next(map[specifier], context);
  }
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

export interface K6Module {
  options?: {
    scenarios?: Record<string, { exec?: string; executor: string; [k: string]: unknown }>;
    thresholds?: Record<string, unknown[]>;
    [k: string]: unknown;
  };
  default?: (data?: unknown) => void;
  setup?: () => unknown;
  teardown?: (data?: unknown) => void;
  [name: string]: unknown;
}

let loads = 0;

/**
 * Imports a fresh instance of `file` with `env` as `__ENV`: each call runs init code again, as each k6 VU does.
 * A doctored copy outside the repository must end in .mts, so that it loads as an ES module.
 */
export async function loadK6Script(file: string, env: Record<string, string> = {}): Promise<K6Module> {
  registerRuntime();
  const g = globalThis as { __ENV?: Record<string, string>; open?: (path: string) => string };
  g.__ENV = { ...env };
  g.open = (path: string) => readFileSync(path, 'utf8');
  loads += 1;
  return (await import(`${pathToFileURL(file).href}?instance=${loads}`)) as K6Module;
}

/** Forgets the samples, checks, logs and requests of earlier runs. */
export function resetRuntime(): void {
  resetRecording();
  sent.length = 0;
}

export interface CallContext {
  scenario?: string;
  /** exec.vu.idInTest. */
  vu?: number;
  /** exec.scenario.iterationInTest. */
  iteration?: number;
}

/** Calls one of the script's functions as k6 would for one iteration, its console captured into the recording. */
export function callK6<T>(fn: () => T, ctx: CallContext = {}): T {
  execution.scenario.name = ctx.scenario ?? 'default';
  execution.scenario.iterationInTest = ctx.iteration ?? 0;
  execution.scenario.iterationInInstance = ctx.iteration ?? 0;
  execution.vu.idInTest = ctx.vu ?? 1;
  execution.vu.idInInstance = ctx.vu ?? 1;
  const real = globalThis.console;
  const capture =
    (level: string) =>
    (...data: unknown[]) =>
      void recording.logs.push({ level, text: data.map(String).join(' ') });
  globalThis.console = {
    ...real,
    log: capture('log'),
    info: capture('info'),
    warn: capture('warn'),
    error: capture('error'),
    debug: capture('debug'),
  };
  try {
    return fn();
  } finally {
    globalThis.console = real;
  }
}

/** The function a scenario runs: its `exec`, else the default export. */
export function scenarioFunction(mod: K6Module, scenario: string): (data?: unknown) => void {
  const name = mod.options?.scenarios?.[scenario]?.exec ?? 'default';
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`scenario ${scenario} runs ${name}, which the script does not export`);
  return fn as (data?: unknown) => void;
}
