import type { WaitStrategy } from '../../../harness/process/wait/wait-strategy';
import { forHttpsOk } from './wait-for-https';

/** Ready when the API server's /readyz answers 200 over TLS verified against `ca`. */
export function forApiServerReady(server: string, ca: string, token: string): WaitStrategy {
  return forHttpsOk(`${server}/readyz`, ca, token);
}
