import type { Redis } from "ioredis";
import type { Allowance, TypingGate } from "../chat/ports.js";

/** Keys remembered by the in-memory gate before old ones are swept (each is a few dozen bytes). */
const MAX_REMEMBERED = 100_000;

/** One typing frame per person per room per interval, counted in this process (no Redis). */
export class MemoryTypingGate implements TypingGate {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async pass(userId: string, roomId: string): Promise<Allowance> {
    const key = `${userId}\u0000${roomId}`;
    const now = this.now();
    const until = this.until.get(key);
    if (until !== undefined && until > now) return { allowed: false, retryAfterMs: until - now };
    if (this.until.size >= MAX_REMEMBERED) this.sweep(now);
    this.until.set(key, now + this.intervalMs);
    return { allowed: true };
  }

  private sweep(now: number): void {
    for (const [key, until] of this.until) if (until <= now) this.until.delete(key);
    // Every entry still live (a flood): forget the oldest rather than grow.
    if (this.until.size >= MAX_REMEMBERED) this.until.clear();
  }
}

/**
 * The same gate over every node: `SET key NX PX interval` in Redis. While Redis is away it falls
 * back to this node's memory, so typing notices neither stop nor flood.
 */
export class RedisTypingGate implements TypingGate {
  private readonly local: MemoryTypingGate;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly intervalMs: number,
  ) {
    this.local = new MemoryTypingGate(intervalMs);
  }

  async pass(userId: string, roomId: string): Promise<Allowance> {
    const key = `${this.keyPrefix}typing:${userId}:${roomId}`;
    try {
      const set = await this.redis.set(key, "1", "PX", this.intervalMs, "NX");
      if (set === "OK") return { allowed: true };
      const left = await this.redis.pttl(key);
      return { allowed: false, retryAfterMs: Math.max(1, left > 0 ? left : this.intervalMs) };
    } catch {
      return this.local.pass(userId, roomId);
    }
  }
}
