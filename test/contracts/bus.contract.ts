import type { Message } from "@parley/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bus, BusEvent } from "../../src/chat/ports.js";

export interface BusFixture {
  /** One bus per node, all carrying events between each other (in one process: one bus). */
  nodes: Bus[];
  /** Stops carrying events, as closing the connections does; absent when a bus cannot stop. */
  shutDown?(): Promise<void>;
  close(): Promise<void>;
}

const ada = { id: "u-ada", name: "Ada Lovelace 🧮", image: "/a.svg" };

function message(seq: number, roomId = "r"): Message {
  return {
    roomId,
    seq,
    clientId: `c${seq}`,
    author: ada,
    body: `Grüße 👋 #${seq}\n"quoted"`,
    createdAt: 1_765_432_109_876,
  };
}

/** Every kind of event the bus carries, with awkward content. */
const everyKind: BusEvent[] = [
  { kind: "message", message: message(1) },
  { kind: "presence", roomId: "r", joined: [ada], left: ["u-bob", "u:odd|id"] },
  {
    kind: "room_created",
    room: { id: "r2", slug: "日本語の部屋", name: "Café ☕", createdAt: 1, kind: "open", createdBy: null },
  },
  { kind: "read", userId: ada.id, roomId: "r", seq: 7 },
  // rooms-access
  {
    kind: "member_added",
    room: {
      id: "r3",
      slug: "dm-00ff",
      name: "",
      createdAt: 2,
      kind: "direct",
      createdBy: ada.id,
      people: [ada],
    },
    member: ada,
  },
  { kind: "member_removed", roomId: "r", roomKind: "private", userId: "u:odd|id", changeId: "c-1" },
];

/** Collects what one subscriber receives. */
function listen(bus: Bus): BusEvent[] {
  const received: BusEvent[] = [];
  bus.subscribe((event) => received.push(event));
  return received;
}

// A read position in a room no test uses: an event nothing else publishes.
const sentinel = (tag: string): BusEvent => ({
  kind: "read",
  userId: `sentinel-${tag}`,
  roomId: "sentinels",
  seq: 0,
});
const isSentinel = (event: BusEvent, tag: string) =>
  event.kind === "read" && event.roomId === "sentinels" && event.userId === `sentinel-${tag}`;

/** Waits until `received` holds the sentinel (published last), then returns what came before it. */
async function untilSentinel(received: BusEvent[], tag: string): Promise<BusEvent[]> {
  await vi.waitFor(() => expect(received.some((event) => isSentinel(event, tag))).toBe(true), {
    timeout: 5_000,
  });
  return received.filter((event) => !isSentinel(event, tag));
}

const seqsFrom = (events: BusEvent[], roomId: string) =>
  events.flatMap((event) =>
    event.kind === "message" && event.message.roomId === roomId ? [event.message.seq] : [],
  );

/**
 * What the domain relies on from the Bus: every node's hub, the publisher's own too, gets every
 * event once, intact, and one node's events arrive in the order it published them (presence
 * joins before leaves, a room before its messages). Order between different nodes' events is
 * not promised: the domain's room sequencer puts messages back in order.
 */
/** `canShutDown`: the bus can stop carrying events (a connection to close); the in-process one cannot. */
export function busContract(
  name: string,
  open: (nodes: number) => Promise<BusFixture>,
  { canShutDown }: { canShutDown: boolean },
): void {
  describe(`bus contract: ${name}`, () => {
    let fixture: BusFixture | undefined;
    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    async function nodes(count: number): Promise<Bus[]> {
      fixture = await open(count);
      return fixture.nodes;
    }

    it("is available once connected", async () => {
      const [bus] = await nodes(1);
      expect(bus?.available).toBe(true);
    });

    it("delivers every kind of event intact to the publishing node's own subscribers", async () => {
      const [bus] = (await nodes(1)) as [Bus];
      const received = listen(bus);
      for (const event of everyKind) await bus.publish(event);
      await bus.publish(sentinel("own"));
      expect(await untilSentinel(received, "own")).toEqual(everyKind);
    });

    it("delivers each event once to every subscriber on every node", async () => {
      const [a, b] = (await nodes(2)) as [Bus, Bus];
      const inboxes = [listen(a), listen(a), listen(b), listen(b)];
      await a.publish({ kind: "message", message: message(1) });
      await b.publish({ kind: "message", message: message(2) });
      await a.publish(sentinel("a"));
      await b.publish(sentinel("b"));
      for (const inbox of inboxes) {
        await untilSentinel(inbox, "a");
        const events = await untilSentinel(inbox, "b");
        expect(events.filter((event) => !isSentinel(event, "a"))).toHaveLength(2);
        expect(seqsFrom(events, "r").sort()).toEqual([1, 2]);
      }
    });

    it("keeps one node's events in the order it published them, awaited or not", async () => {
      const [a, b] = (await nodes(2)) as [Bus, Bus];
      const here = listen(a);
      const there = listen(b);
      for (let seq = 1; seq <= 20; seq++) await a.publish({ kind: "message", message: message(seq) });
      // Published without waiting for each other, as a burst of sends is.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => a.publish({ kind: "message", message: message(21 + i) })),
      );
      await a.publish(sentinel("order"));
      const expected = Array.from({ length: 60 }, (_, i) => i + 1);
      expect(seqsFrom(await untilSentinel(here, "order"), "r")).toEqual(expected);
      expect(seqsFrom(await untilSentinel(there, "order"), "r")).toEqual(expected);
    });

    it("keeps each node's own order when nodes publish at once", async () => {
      const [a, b] = (await nodes(2)) as [Bus, Bus];
      const inboxes = [listen(a), listen(b)];
      await Promise.all([
        ...Array.from({ length: 30 }, (_, i) =>
          a.publish({ kind: "message", message: message(i + 1, "ra") }),
        ),
        ...Array.from({ length: 30 }, (_, i) =>
          b.publish({ kind: "message", message: message(i + 1, "rb") }),
        ),
      ]);
      await a.publish(sentinel("a"));
      await b.publish(sentinel("b"));
      const expected = Array.from({ length: 30 }, (_, i) => i + 1);
      for (const inbox of inboxes) {
        await untilSentinel(inbox, "a");
        const events = await untilSentinel(inbox, "b");
        expect(seqsFrom(events, "ra")).toEqual(expected);
        expect(seqsFrom(events, "rb")).toEqual(expected);
      }
    });

    it("gives a subscriber that joins later only what is published after it", async () => {
      const [a, b] = (await nodes(2)) as [Bus, Bus];
      const early = listen(b);
      await a.publish({ kind: "message", message: message(1) });
      await a.publish(sentinel("first"));
      await untilSentinel(early, "first");
      const late = listen(b);
      await a.publish({ kind: "message", message: message(2) });
      await a.publish(sentinel("second"));
      expect(seqsFrom(await untilSentinel(late, "second"), "r")).toEqual([2]);
    });

    if (canShutDown)
      it("refuses sends once shut down rather than losing them silently", async () => {
        const [bus] = (await nodes(1)) as [Bus];
        if (!fixture?.shutDown) throw new Error("a bus that can shut down must give its fixture shutDown()");
        await fixture.shutDown();
        expect(bus.available).toBe(false);
        await expect(bus.publish({ kind: "message", message: message(1) })).rejects.toThrow();
      });
  });
}
