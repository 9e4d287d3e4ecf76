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
    redis,
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

describe.runIf(redisUrl)("redis presence after Redis lost its data", () => {
  const ada: Member = { id: "u-ada", name: "Ada", image: "/a.svg" };
  const bob: Member = { id: "u-bob", name: "Bob", image: "/b.svg" };

  it("puts back a connection that someone else's remove named, as it still holds it", async () => {
    const url = redisUrl as string;
    const prefix = uniquePrefix();
    const node = await startNode(url, prefix);
    try {
      await node.presence.add("r", ada, "tab1");
      await node.presence.add("r", bob, "tab2");
      expect(await node.presence.remove("r", bob.id, "tab1")).toBe(false);
      // Redis restarted empty: the node's connections come back when it reconnects.
      await deleteKeys(url, prefix);
      expect(await node.presence.members("r")).toEqual([]);
      node.redis.disconnect(true);
      const present = async () => (await node.presence.members("r").catch(() => [])).map((m) => m.id).sort();
      let ids: string[] = [];
      for (const deadline = Date.now() + 5000; ids.length < 2 && Date.now() < deadline; ) {
        ids = await present();
        if (ids.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(ids).toEqual([ada.id, bob.id]);
    } finally {
      await node.close();
      await deleteKeys(url, prefix);
    }
  });
});
