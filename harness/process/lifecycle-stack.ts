import type { Stoppable } from './managed-process';

/**
 * What was started, in start order; stopAll() stops it in reverse order and keeps going past failures,
 * so one process that refuses to stop cleanly never leaves the others running.
 */
export class LifecycleStack {
  private readonly items: Stoppable[] = [];
  private stopping: Promise<string[]> | undefined;

  push<T extends Stoppable>(item: T): T {
    this.items.push(item);
    return item;
  }

  get size(): number {
    return this.items.length;
  }

  /** Stops everything; resolves with the names of items whose stop failed. */
  stopAll(onStop?: (name: string) => void): Promise<string[]> {
    this.stopping ??= (async () => {
      const failed: string[] = [];
      while (this.items.length > 0) {
        const item = this.items.pop();
        if (!item) break;
        onStop?.(item.name);
        try {
          await item.stop();
        } catch {
          failed.push(item.name);
        }
      }
      return failed;
    })();
    return this.stopping;
  }
}

/** Several stoppables that may stop at the same time (sidecars of different apps, say). */
export class ParallelGroup implements Stoppable {
  readonly name: string;
  readonly members: Stoppable[] = [];

  constructor(name: string) {
    this.name = name;
  }

  add<T extends Stoppable>(item: T): T {
    this.members.push(item);
    return item;
  }

  async stop(): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.stop()));
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw new Error(`${failed.length} of ${this.name} did not stop cleanly`);
  }
}
