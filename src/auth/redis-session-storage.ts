import { AsyncLocalStorage } from "node:async_hooks";
import type { SecondaryStorage } from "better-auth";
import type { Redis } from "ioredis";
import type { DependencyHealth } from "../health/dependency-health.js";

/** What a request that changed sessions left undone in Redis. */
export interface StoreOutcome {
  /** Keys Redis did not delete (it was away); they are deleted again once it is back. */
  failedDeletes: number;
}

/** better-auth's secondary storage on Redis, with deletes applied after the SQL writes of a request. */
export interface RedisSessionStorage extends SecondaryStorage {
  /**
   * Runs `work` (one auth request) holding its Redis deletes back until it is done, then applies
   * them: SQL, the authority on sessions, is written first, and a Redis outage can no longer make
   * better-auth skip the SQL delete of a sign-out or revocation (decision 0011).
   */
  deletesAfter<T>(work: () => Promise<T>): Promise<{ result: T; outcome: StoreOutcome }>;
}

interface HeldDeletes {
  keys: string[];
  /** Set once the request's deletes were applied: a late delete (background work) goes straight to Redis. */
  applied: boolean;
}

/**
 * better-auth's secondary storage on Redis: session id → user id, name, avatar, with a time-to-live.
 * Sessions are kept in SQL too, so while Redis is away reads and writes fall back to SQL. A delete
 * Redis could not take is remembered and retried when it is back, so a revoked session does not
 * come back with Redis; meanwhile every session check confirms the session in SQL (CurrentUser).
 */
export function redisSessionStorage(
  redis: Redis,
  prefix: string,
  health: DependencyHealth,
): RedisSessionStorage {
  const key = (name: string) => `${prefix}auth:${name}`;
  const guarded = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (error) {
      throw health.failed(error);
    }
  };
  const held = new AsyncLocalStorage<HeldDeletes>();
  const undeleted = new Set<string>();
  /** Counters kept here while Redis is away, so rate limits still hold on this node. */
  const localCounters = new Map<string, { count: number; expiresAt: number }>();

  async function deleteNow(names: string[]): Promise<number> {
    let failed = 0;
    for (const name of names) {
      try {
        await redis.del(key(name));
        undeleted.delete(name);
      } catch (error) {
        health.failed(error);
        undeleted.add(name);
        failed++;
      }
    }
    return failed;
  }

  redis.on("ready", () => {
    if (undeleted.size > 0) void deleteNow([...undeleted]);
  });

  return {
    get: (name) =>
      redis.get(key(name)).catch((error: unknown) => {
        health.failed(error);
        return null;
      }),
    async set(name, value, ttl) {
      const write = ttl ? redis.set(key(name), value, "EX", ttl) : redis.set(key(name), value);
      await write.catch((error: unknown) => health.failed(error));
    },
    async delete(name) {
      const request = held.getStore();
      if (request && !request.applied) {
        request.keys.push(name);
        return;
      }
      await deleteNow([name]);
    },
    getAndDelete: (name) => guarded(redis.getdel(key(name))),
    async increment(name, ttl) {
      try {
        // The TTL applies only when the counter is created, as better-auth's rate limiter expects.
        const [[, count]] = (await redis.multi().incr(key(name)).expire(key(name), ttl, "NX").exec()) as [
          [Error | null, number],
        ];
        return count;
      } catch (error) {
        // Counted here while Redis is away, so the sign-in limits still hold on this node.
        health.failed(error);
        const now = Date.now();
        const counter = localCounters.get(name);
        const live = counter && counter.expiresAt > now ? counter : { count: 0, expiresAt: now + ttl * 1000 };
        live.count++;
        localCounters.set(name, live);
        for (const [other, entry] of localCounters) if (entry.expiresAt <= now) localCounters.delete(other);
        return live.count;
      }
    },
    async deletesAfter(work) {
      const request: HeldDeletes = { keys: [], applied: false };
      const outcome: StoreOutcome = { failedDeletes: 0 };
      try {
        return { result: await held.run(request, work), outcome };
      } finally {
        // Also when the request failed: whatever it ended in SQL must end in Redis too.
        request.applied = true;
        outcome.failedDeletes = await deleteNow(request.keys);
      }
    },
  };
}
