import { describe, expect, it } from "vitest";
import { ForgettableCache } from "./forgettable-cache.js";

describe("ForgettableCache", () => {
  it("reads a key once, and again after forget", async () => {
    const cache = new ForgettableCache<string>(10);
    let reads = 0;
    const read = async () => `v${++reads}`;
    expect(await cache.get("a", read)).toBe("v1");
    expect(await cache.get("a", read)).toBe("v1");
    cache.forget("a");
    expect(await cache.get("a", read)).toBe("v2");
  });

  it("never keeps a read that a forget overtook: the change wins over the state from before it", async () => {
    const cache = new ForgettableCache<string>(10);
    let store = "before";
    let reads = 0;
    const read = async () => {
      reads++;
      const value = store;
      // The change lands (and is announced) while the first read is on its way back.
      if (reads === 1) {
        store = "after";
        cache.forget("a");
      }
      return value;
    };
    expect(await cache.get("a", read)).toBe("after");
    expect(await cache.get("a", async () => "not read")).toBe("after");
  });

  it("keeps no absent value, drops the least recently used past its size, and reads again past its age", async () => {
    let now = 0;
    const cache = new ForgettableCache<string>(2, 1000, () => now);
    expect(await cache.get("gone", async () => undefined)).toBeUndefined();
    expect(await cache.get("gone", async () => "there now")).toBe("there now");
    await cache.get("a", async () => "a1");
    await cache.get("b", async () => "b1");
    await cache.get("a", async () => "unused");
    await cache.get("c", async () => "c1");
    // "b" was the least recently used of three in a cache of two.
    expect(await cache.get("b", async () => "b2")).toBe("b2");
    expect(await cache.get("c", async () => "unused")).toBe("c1");
    now = 1000;
    expect(await cache.get("c", async () => "c2")).toBe("c2");
  });
});
