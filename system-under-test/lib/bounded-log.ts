/**
 * An append-only log that keeps the newest `capacity` items: a push onto a full log overwrites the oldest in O(1),
 * so a service under load keeps constant memory however long it runs.
 */
export class BoundedLog<T> {
  private items: T[] = [];
  private start = 0;
  /** How many items were overwritten since the last clear. */
  evicted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive whole number (got ${capacity})`);
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    this.evicted += 1;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.items.length; i++) yield this.items[(this.start + i) % this.items.length] as T;
  }

  toArray(): T[] {
    return [...this];
  }

  clear(): void {
    this.items = [];
    this.start = 0;
    this.evicted = 0;
  }
}

/** Map.set that drops the oldest-inserted keys beyond `capacity`; re-setting a key makes it the newest. */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > capacity) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}
