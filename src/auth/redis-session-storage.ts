import type { SecondaryStorage } from "better-auth";
import type { Redis } from "ioredis";

/**
 * better-auth's secondary storage on Redis: session id → user id, name, avatar, with a time-to-live.
 * Sessions are kept in SQL too, so while Redis is away reads and writes fall back to SQL; a delete
 * must not be skipped, though, or a revoked session would come back with Redis.
 */
export function redisSessionStorage(redis: Redis, prefix: string): SecondaryStorage {
  const key = (name: string) => `${prefix}auth:${name}`;
  return {
    get: (name) => redis.get(key(name)).catch(() => null),
    async set(name, value, ttl) {
      const write = ttl ? redis.set(key(name), value, "EX", ttl) : redis.set(key(name), value);
      await write.catch(() => undefined);
    },
    async delete(name) {
      await redis.del(key(name));
    },
    getAndDelete: (name) => redis.getdel(key(name)),
    async increment(name, ttl) {
      // The TTL applies only when the counter is created, as better-auth's rate limiter expects.
      const [[, count]] = (await redis.multi().incr(key(name)).expire(key(name), ttl, "NX").exec()) as [
        [Error | null, number],
      ];
      return count;
    },
  };
}
