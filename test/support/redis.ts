import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/** The Redis URL for tests, or undefined with a visible skip; CI must have one. */
export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL;
  if (!url && process.env.CI) throw new Error("CI must set TEST_REDIS_URL");
  if (!url) console.warn("[parley] skipping Redis tests: set TEST_REDIS_URL to include them");
  return url;
}

/** A key prefix of this run's own, so runs never see each other's keys. */
export function uniquePrefix(): string {
  return `parley-test:${Date.now().toString(36)}${randomBytes(3).toString("hex")}:`;
}

export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}
