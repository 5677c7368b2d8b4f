import { ApiException } from '@kubernetes/client-node';
import { sleep } from '../../process/wait/wait-strategy';

const MAX_ATTEMPTS = 10;
const DEFAULT_DELAY_MS = 500;
const MAX_DELAY_MS = 2_000;

/**
 * Retries a call the API server answered 429 (Too Many Requests: priority-and-fairness throttling, or a resource
 * whose storage is still initializing, as right after a CRD is created), waiting as Retry-After says, at most
 * MAX_ATTEMPTS times. client-go does the same; client-node does not.
 */
export async function retryOnTooManyRequests<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 429 || attempt >= MAX_ATTEMPTS) throw err;
      const retryAfter = Number(err.headers?.['retry-after']);
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, MAX_DELAY_MS) : DEFAULT_DELAY_MS, signal);
    }
  }
}
