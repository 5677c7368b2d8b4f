import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined when the call never got an answer. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return apiStatus(err) === 404;
}

/** The system error code (ECONNREFUSED, ENOTFOUND, a TLS code…) somewhere in an error's cause chain. */
export function systemCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * One line for an API failure: the API server's own Status message where it sent one (client-node's
 * ApiException message carries the whole response), else the transport error.
 */
export function apiErrorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return `${err.code} ${typeof message === 'string' ? message : String(err.body).slice(0, 200)}`;
  }
  const e = err as Error;
  return (e?.message ?? String(err)).split('\n')[0] ?? String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
