/** Default response classification: any 2xx succeeds, anything else is an error named for its status. */
export function classifyStatus(status: number): string | undefined {
  return status >= 200 && status < 300 ? undefined : `http_${status}`;
}

/** Thrown into a request the driver gave up on after `timeoutMs`. */
export class DriverTimeoutError extends Error {
  readonly code = 'DRIVER_TIMEOUT';
  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'DriverTimeoutError';
  }
}

const KIND_BY_CODE: Record<string, string> = {
  DRIVER_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'connection_refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  // undici's "other side closed": the server dropped the socket mid-request.
  UND_ERR_SOCKET: 'reset',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'no_local_port',
  UND_ERR_ABORTED: 'aborted',
  UND_ERR_DESTROYED: 'aborted',
  UND_ERR_CLOSED: 'aborted',
};

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Connecting to a name with several addresses fails with an AggregateError of the per-address errors.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner)) return codeOf(inner[0]);
  const cause = (err as { cause?: unknown }).cause;
  return cause === undefined ? undefined : codeOf(cause);
}

/** A transport failure (no HTTP response) as a short, stable error kind: `timeout`, `connection_refused`, `reset`, … */
export function classifyTransportError(err: unknown): string {
  const code = codeOf(err);
  if (code === undefined) return 'transport';
  return KIND_BY_CODE[code] ?? `transport_${code.toLowerCase().replace(/^und_err_/, '')}`;
}
