import type { Request } from 'express';

const TRACE_HEADERS = ['traceparent', 'tracestate'];

/**
 * The W3C trace context of an incoming request, to send along on the calls it causes, so that a caller's trace
 * continues through this service's state and publish calls instead of starting over.
 */
export function traceHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const v = req.get(name);
    if (v) out[name] = v;
  }
  return out;
}
