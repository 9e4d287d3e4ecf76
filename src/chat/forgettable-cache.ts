/** Reads of one key while it keeps changing, before answering with a read that is not kept. */
const LOAD_ATTEMPTS = 3;

/**
 * A per-node cache of values read from the store, for what every node must stop believing the
 * moment it changes anywhere: the change calls `forget` on every node (the bus carries it). A read
 * that raced with a `forget` is not kept (each key has a generation), so a change is never
 * overwritten by the state from before it. Bounded: the least recently used entry goes first.
 * Absent values (`undefined`) are never kept.
 */
export class ForgettableCache<V> {
  private readonly entries = new Map<string, { value: V; readAt: number }>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    /** Older entries are read again: bounds how long a `forget` lost with the bus goes unnoticed. */
    private readonly maxAgeMs = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.readAt < this.maxAgeMs) {
      // Most recently used last: the first entry is the one to drop when full.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.value;
    }
    for (let attempt = 0; attempt < LOAD_ATTEMPTS; attempt++) {
      const generation = this.generations.get(key) ?? 0;
      const readAt = this.now();
      const value = await read();
      if (value === undefined) return undefined;
      if ((this.generations.get(key) ?? 0) === generation) {
        this.keep(key, value, readAt);
        return value;
      }
      // A change arrived while this was read: read again rather than answer from before it.
      if (attempt === LOAD_ATTEMPTS - 1) return value;
    }
    return undefined;
  }

  /** The value changed (here or on another node): the next `get` reads it again. */
  forget(key: string): void {
    this.entries.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    // Generations are only needed while a read may be in flight; keep the map from growing for ever.
    if (this.generations.size > this.maxEntries * 2) this.generations.clear();
  }

  private keep(key: string, value: V, readAt: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, readAt });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
