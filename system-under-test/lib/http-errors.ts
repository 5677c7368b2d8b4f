import type { Response } from 'express';

/**
 * Every refusal is one JSON object naming the problem and the fix, so a caller (a suite, a person with curl)
 * never has to read the service's code to know what to change.
 */
export interface ErrorBody {
  error: string;
  hint?: string;
}

export function sendError(res: Response, status: number, error: string, hint?: string): void {
  const body: ErrorBody = hint ? { error, hint } : { error };
  res.status(status).json(body);
}

export function badRequest(res: Response, error: string, hint: string): void {
  sendError(res, 400, error, hint);
}
