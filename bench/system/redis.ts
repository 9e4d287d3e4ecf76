import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** Where crossnode looks for Redis when BENCH_REDIS_URL is unset. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const PROBE_TIMEOUT_MS = 1500;

function connectOnce(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  return redis;
}

/** Undefined when Redis at `url` answers PING; otherwise why not. Never waits long or retries. */
export async function redisProblem(url: string): Promise<string | undefined> {
  const redis = connectOnce(url);
  try {
    await redis.connect();
    const answer = await redis.ping();
    return answer === "PONG" ? undefined : `PING answered ${answer}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    redis.disconnect();
  }
}

/** A key prefix of this run's own (Parley's REDIS_KEY_PREFIX), so runs never see each other's keys. */
export function uniqueKeyPrefix(): string {
  return `parley-bench:${Date.now().toString(36)}${randomBytes(3).toString("hex")}:`;
}

/** Deletes every key under `prefix` (SCAN, not KEYS, so a shared Redis is not blocked); returns how many. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = connectOnce(url);
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}
