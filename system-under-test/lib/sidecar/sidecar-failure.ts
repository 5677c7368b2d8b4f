import type { Response } from 'express';
import { errorMessage, log } from '../json-log';
import { SidecarError } from './sidecar-client';

/**
 * Answers a request whose sidecar call failed: 502 (the failure is upstream of this service) with Dapr's own
 * error body, so the caller sees Dapr's errorCode and message rather than our paraphrase.
 */
export function sendSidecarFailure(res: Response, err: unknown): void {
  if (!(err instanceof SidecarError)) throw err;
  log('warn', 'sidecar call failed', { operation: err.operation, status: err.status, error: errorMessage(err) });
  res.status(502).json(err.body);
}

/** True when Dapr refused a state write because the ETag did not match (first-write concurrency). */
export function isEtagMismatch(err: unknown): err is SidecarError {
  return err instanceof SidecarError && err.status === 409;
}
