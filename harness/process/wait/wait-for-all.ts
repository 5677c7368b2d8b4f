import type { WaitContext, WaitStrategy } from './wait-strategy';

/** Ready when every strategy is ready; they are checked concurrently. */
export function forAll(strategies: WaitStrategy[]): WaitStrategy {
  return {
    describe: () => strategies.map((s) => s.describe()).join(' and '),
    async waitUntilReady(ctx: WaitContext): Promise<void> {
      await Promise.all(strategies.map((s) => s.waitUntilReady(ctx)));
    },
  };
}
