import { pollUntil, type WaitContext, type WaitStrategy } from './wait-strategy';

/** Ready when a GET of `url` answers with one of `statuses` (default: any 2xx). */
export function forHttp(url: string, statuses?: number[]): WaitStrategy {
  const ok = (status: number): boolean => (statuses ? statuses.includes(status) : status >= 200 && status < 300);
  return {
    describe: () => `HTTP ${url} to answer ${statuses ? statuses.join('/') : '2xx'}`,
    async waitUntilReady(ctx: WaitContext): Promise<void> {
      await pollUntil(async () => {
        try {
          const res = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(2000)]) });
          await res.arrayBuffer();
          return ok(res.status);
        } catch {
          return false;
        }
      }, ctx.signal);
    },
  };
}
