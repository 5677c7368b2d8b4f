/**
 * Every failure the harness reports to a user carries a stable code, what went wrong and how to fix it.
 * `usage` errors (bad input: flags, files, missing tools) exit 2; `runtime` errors exit 1.
 */
export type ErrorKind = 'usage' | 'runtime';

export class HarnessError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly kind: ErrorKind;

  constructor(code: string, message: string, hint: string, kind: ErrorKind = 'usage', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
    this.hint = hint;
    this.kind = kind;
  }

  /** One line: `code: what went wrong · how to fix`. */
  oneLine(): string {
    return `${this.code}: ${this.message} · ${this.hint}`;
  }
}

export function usageError(code: string, message: string, hint: string): HarnessError {
  return new HarnessError(code, message, hint, 'usage');
}

export function runtimeError(code: string, message: string, hint: string, cause?: unknown): HarnessError {
  return new HarnessError(code, message, hint, 'runtime', { cause });
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof HarnessError) return err.kind === 'usage' ? 2 : 1;
  return 1;
}
