import type { Member } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PresenceStore } from "../../src/chat/ports.js";

export interface PresenceFixture {
  presence: PresenceStore;
  close(): Promise<void>;
}

const ada: Member = { id: "u-ada", name: "Ada", image: "/a.svg" };
const bob: Member = { id: "u-bob", name: "Bob", image: "/b.svg" };
const carol: Member = { id: "u-carol", name: "Carol 🎻", image: "https://example.com/c.png" };

const byId = (members: Member[]) => [...members].sort((a, b) => (a.id < b.id ? -1 : 1));

/**
 * What the domain relies on from a PresenceStore, run against the single-node in-memory store
 * and Redis presence. `open` gives each test a store of its own (empty, with its own keys).
 */
export function presenceContract(name: string, open: () => Promise<PresenceFixture>): void {
  describe(`presence contract: ${name}`, () => {
    let fixture: PresenceFixture;
    let presence: PresenceStore;

    beforeEach(async () => {
      fixture = await open();
      presence = fixture.presence;
    });
    afterEach(async () => {
      await fixture?.close();
    });

    it("counts a user with several tabs once, until the last tab leaves", async () => {
      expect(await presence.add("r", ada, "tab1")).toBe(true);
      expect(await presence.add("r", ada, "tab2")).toBe(false);
      expect(await presence.members("r")).toEqual([ada]);
      expect(await presence.remove("r", ada.id, "tab1")).toBe(false);
      expect(await presence.members("r")).toEqual([ada]);
      expect(await presence.remove("r", ada.id, "tab2")).toBe(true);
      expect(await presence.members("r")).toEqual([]);
    });

    it("lists everyone present once, with their profile", async () => {
      await presence.add("r", carol, "c1");
      await presence.add("r", ada, "a1");
      await presence.add("r", bob, "b1");
      await presence.add("r", ada, "a2");
      expect(byId(await presence.members("r"))).toEqual([ada, bob, carol]);
      expect(await presence.members("nobody-here")).toEqual([]);
    });

    it("shows the profile of a user's latest connection", async () => {
      const renamed = { ...ada, name: "Ada Lovelace", image: "/new.svg" };
      await presence.add("r", ada, "tab1");
      expect(await presence.add("r", renamed, "tab2")).toBe(false);
      expect(await presence.members("r")).toEqual([renamed]);
    });

    it("takes a connection added twice as one", async () => {
      expect(await presence.add("r", ada, "tab1")).toBe(true);
      expect(await presence.add("r", ada, "tab1")).toBe(false);
      expect(await presence.remove("r", ada.id, "tab1")).toBe(true);
      expect(await presence.members("r")).toEqual([]);
    });

    it("ignores removing a connection it does not hold", async () => {
      await presence.add("r", ada, "tab1");
      expect(await presence.remove("r", ada.id, "tab-unknown")).toBe(false);
      expect(await presence.remove("other-room", ada.id, "tab1")).toBe(false);
      expect(await presence.remove("r", ada.id, "tab1")).toBe(true);
      expect(await presence.remove("r", ada.id, "tab1")).toBe(false);
      expect(await presence.members("r")).toEqual([]);
    });

    it("ignores removing a connection in the name of someone who does not hold it", async () => {
      expect(await presence.add("r", ada, "tab1")).toBe(true);
      expect(await presence.add("r", bob, "tab2")).toBe(true);
      expect(await presence.remove("r", bob.id, "tab1")).toBe(false);
      expect(await presence.remove("r", carol.id, "tab1")).toBe(false);
      expect(byId(await presence.members("r"))).toEqual([ada, bob]);
      expect(await presence.remove("r", ada.id, "tab1")).toBe(true);
      expect(await presence.remove("r", bob.id, "tab2")).toBe(true);
      expect(await presence.members("r")).toEqual([]);
    });

    it("keeps rooms apart", async () => {
      await presence.add("r1", ada, "tab1");
      await presence.add("r2", ada, "tab1");
      await presence.add("r2", bob, "tab9");
      expect(await presence.remove("r1", ada.id, "tab1")).toBe(true);
      expect(await presence.members("r1")).toEqual([]);
      expect(byId(await presence.members("r2"))).toEqual([ada, bob]);
    });

    it("announces a user again who left and came back", async () => {
      expect(await presence.add("r", ada, "tab1")).toBe(true);
      expect(await presence.remove("r", ada.id, "tab1")).toBe(true);
      expect(await presence.add("r", ada, "tab2")).toBe(true);
      expect(await presence.members("r")).toEqual([ada]);
    });

    it("reports exactly one first arrival and one last departure when tabs race", async () => {
      const tabs = Array.from({ length: 12 }, (_, i) => `tab${i}`);
      const added = await Promise.all(tabs.map((tab) => presence.add("r", ada, tab)));
      expect(added.filter(Boolean)).toHaveLength(1);
      const removed = await Promise.all(tabs.map((tab) => presence.remove("r", ada.id, tab)));
      expect(removed.filter(Boolean)).toHaveLength(1);
      expect(await presence.members("r")).toEqual([]);
    });

    it("takes any characters in room, user and connection ids", async () => {
      const odd = { id: "user:1|x/ü", name: "Odd", image: "/o.svg" };
      for (const room of ["room:1", "room:1:conns", "房间 1"]) {
        expect(await presence.add(room, odd, "conn|1:a")).toBe(true);
      }
      expect(await presence.members("room:1")).toEqual([odd]);
      expect(await presence.remove("room:1", odd.id, "conn|1:a")).toBe(true);
      expect(await presence.members("room:1")).toEqual([]);
      expect(await presence.members("room:1:conns")).toEqual([odd]);
      expect(await presence.members("房间 1")).toEqual([odd]);
    });
  });
}
