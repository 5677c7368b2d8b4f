/**
 * k6 gives every script a console (log, info, warn, error, debug), but @types/k6 does not declare one. Declared
 * the way @types/node declares it (an interface named Console and a global var of that type), so the root
 * tsconfig, which sees these scripts beside Node's types, merges the two instead of reporting a conflict.
 */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}

// eslint-disable-next-line no-var -- only a var declaration merges with @types/node's own `var console`
declare var console: Console;
