import type { SecondaryStorage } from "better-auth";
import type { Redis } from "ioredis";
import type { DependencyHealth } from "../health/dependency-health.js";

/**
 * better-auth's secondary storage on Redis: session id → user id, name, avatar, with a time-to-live.
 * Sessions are kept in SQL too, so while Redis is away reads and writes fall back to SQL; a delete
 * must not be skipped, though, or a revoked session would come back with Redis.
 */
export function redisSessionStorage(
  redis: Redis,
  prefix: string,
  health: DependencyHealth,
): SecondaryStorage {
  const key = (name: string) => `${prefix}auth:${name}`;
  const guarded = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (error) {
      throw health.failed(error);
    }
  };
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
      await guarded(redis.del(key(name)));
    },
    getAndDelete: (name) => guarded(redis.getdel(key(name))),
    async increment(name, ttl) {
      // The TTL applies only when the counter is created, as better-auth's rate limiter expects.
      const [[, count]] = (await guarded(
        redis.multi().incr(key(name)).expire(key(name), ttl, "NX").exec(),
      )) as [[Error | null, number]];
      return count;
    },
  };
}
