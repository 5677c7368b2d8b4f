import { request } from 'node:https';
import { pollUntil, type WaitContext, type WaitStrategy } from './wait-strategy';

/** Ready when a GET of `url` answers 200 over TLS verified against `ca` (with a bearer token, when given). */
export function forHttpsOk(url: string, ca: string, token?: string): WaitStrategy {
  return {
    describe: () => `${url} to answer 200`,
    async waitUntilReady(ctx: WaitContext): Promise<void> {
      await pollUntil(
        () =>
          httpsStatus(url, ca, token).then(
            (s) => s === 200,
            () => false,
          ),
        ctx.signal,
      );
    },
  };
}

export function httpsStatus(url: string, ca: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 2000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}

/** Ready when the API server's /readyz answers 200 over TLS verified against `ca`. */
export function forApiServerReady(server: string, ca: string, token: string): WaitStrategy {
  return forHttpsOk(`${server}/readyz`, ca, token);
}
