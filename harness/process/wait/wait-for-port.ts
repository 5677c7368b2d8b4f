import { connect } from 'node:net';
import { pollUntil, type WaitContext, type WaitStrategy } from './wait-strategy';

export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Ready when a TCP connection to host:port succeeds. */
export function forPort(host: string, port: number): WaitStrategy {
  return {
    describe: () => `TCP ${host}:${port} to accept connections`,
    async waitUntilReady(ctx: WaitContext): Promise<void> {
      await pollUntil(() => canConnect(host, port), ctx.signal);
    },
  };
}
