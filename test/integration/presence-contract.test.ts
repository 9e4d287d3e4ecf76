import type { Member } from "@parley/protocol";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { DependencyHealth, silentOutages } from "../../src/health/dependency-health.js";
import { RedisPresence } from "../../src/presence/redis-presence.js";
import { presenceContract } from "../contracts/presence.contract.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

const redisUrl = testRedisUrl();

/** A node's presence on the shared Redis, under `prefix`; close() stops its heartbeat. */
async function startNode(url: string, prefix: string) {
  const redis = new Redis(url);
  const presence = new RedisPresence(redis, prefix, new DependencyHealth("redis", silentOutages));
  await presence.start();
  return {
    presence,
    async close() {
      await presence.stop();
      redis.disconnect();
    },
  };
}

describe.runIf(redisUrl)("redis presence", () => {
  const url = redisUrl as string;
  presenceContract("redis", async () => {
    const prefix = uniquePrefix();
    const node = await startNode(url, prefix);
    return {
      presence: node.presence,
      async close() {
        await node.close();
        await deleteKeys(url, prefix);
      },
    };
  });
});

describe.runIf(redisUrl)("redis presence across nodes", () => {
  const ada: Member = { id: "u-ada", name: "Ada", image: "/a.svg" };
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("counts a user once across nodes, even when their connection ids coincide", async () => {
    const url = redisUrl as string;
    const prefix = uniquePrefix();
    const [one, two] = [await startNode(url, prefix), await startNode(url, prefix)];
    cleanups.push(one.close, two.close, () => deleteKeys(url, prefix));
    expect(await one.presence.add("r", ada, "conn-1")).toBe(true);
    expect(await two.presence.add("r", ada, "conn-1")).toBe(false);
    expect(await two.presence.members("r")).toEqual([ada]);
    expect(await one.presence.remove("r", ada.id, "conn-1")).toBe(false);
    expect(await one.presence.members("r")).toEqual([ada]);
    expect(await two.presence.remove("r", ada.id, "conn-1")).toBe(true);
    expect(await one.presence.members("r")).toEqual([]);
  });
});
