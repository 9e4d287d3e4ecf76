import { type Message, type ServerFrame, toPage } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { locate, messagePath } from "./routing.js";
import { ADA, BOB, room, settle } from "./testing/fakes.js";
import { connect, harness, joined, message, range, reconnect, seqs } from "./testing/harness.js";

const general = room("r1", "general");

function changed(base: Message, changeSeq: number, patch: Partial<Message>): Message {
  return { ...base, ...patch, changeSeq };
}

function changeFrame(message: Message): ServerFrame {
  return { type: "message_changed", roomId: message.roomId, changeSeq: message.changeSeq ?? 0, message };
}

function joinedAt(messages: Message[], lastChangeSeq: number, extra: Partial<Record<string, unknown>> = {}) {
  return { ...joined(general, messages), lastChangeSeq, ...extra } as ServerFrame;
}

const held = (h: ReturnType<typeof harness>, seq: number) =>
  h.core.getState().roomStates[general.id]?.messages.find((m) => m.seq === seq);

describe("changes to messages (edits, issue 15 part A)", () => {
  it("applies live changes, ignores an older copy, and resumes with changesSince", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    const one = message(general.id, 1);
    socket.deliver(joinedAt([one, message(general.id, 2)], 4));

    socket.deliver(changeFrame(changed(one, 5, { body: "edited", editedAt: 9 })));
    expect(held(h, 1)?.body).toBe("edited");
    // A repeat or a late older copy can never bring an older state back.
    socket.deliver(changeFrame(changed(one, 5, { body: "edited", editedAt: 9 })));
    socket.deliver({ type: "message", message: one });
    expect(held(h, 1)?.body).toBe("edited");

    const next = reconnect(h);
    expect(next.sentOfType("join")).toEqual([
      { type: "join", roomId: general.id, since: 2, changesSince: 5 },
    ]);
    const tombstone = changed(message(general.id, 2), 7, { body: "", deletedAt: 10 });
    next.deliver({
      ...joinedAt([], 7),
      ...toPage([tombstone]),
      messages: [],
      changed: toPage([tombstone]).messages,
    } as ServerFrame);
    expect(held(h, 2)).toMatchObject({ body: "", deletedAt: 10 });
    expect(h.core.getState().roomStates[general.id]?.changeCursor).toBe(7);
    expect(seqs(h, general.id)).toEqual([1, 2]);
  });

  it("asks again from its change cursor when a change sequence jumps", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joinedAt([message(general.id, 1)], 3));
    socket.deliver(changeFrame(changed(message(general.id, 1), 5, { body: "after a hole" })));
    expect(socket.sentOfType("join").at(-1)).toEqual({
      type: "join",
      roomId: general.id,
      since: 1,
      changesSince: 3,
    });
    expect(held(h, 1)?.body).toBe("after a hole");
  });

  it("drops everything held when the resume says too much changed", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(
      joinedAt(
        range(1, 5).map((seq) => message(general.id, seq)),
        0,
      ),
    );
    const next = reconnect(h);
    next.deliver(
      joinedAt([message(general.id, 9), message(general.id, 10)], 2000, { stale: true, hasOlder: true }),
    );
    expect(seqs(h, general.id)).toEqual([9, 10]);
    expect(h.core.getState().roomStates[general.id]?.hasOlder).toBe(true);
  });

  it("sends edits, deletions, reactions and replies, and shows a refusal without leaving the room", async () => {
    const h = harness();
    const socket = await connect(h);
    h.core.openSlug("general");
    socket.deliver(joinedAt([message(general.id, 1, ADA)], 0));
    expect(h.core.editLastOwn(general.id)).toBe(true);
    expect(h.core.getState().roomStates[general.id]?.editing).toBe(1);
    expect(h.core.edit(general.id, 1, "  fixed  ")).toBeNull();
    expect(h.core.edit(general.id, 1, "   ")).toEqual({ code: "message_empty" });
    expect(h.core.react(general.id, 1, "👍", "add")).toBeNull();
    expect(h.core.deleteMessage(general.id, 1)).toBeNull();
    h.core.replyTo(general.id, 1);
    expect(h.core.getState().roomStates[general.id]?.replyingTo).toEqual({ seq: 1, authorName: ADA.name });
    expect(h.core.send(general.id, "answer", [], 1)).toBeNull();
    await settle();
    expect(socket.sent.filter((f) => f.type !== "join" && f.type !== "read")).toEqual([
      { type: "edit", roomId: general.id, seq: 1, body: "fixed" },
      { type: "react", roomId: general.id, seq: 1, emoji: "👍", action: "add" },
      { type: "delete", roomId: general.id, seq: 1 },
      expect.objectContaining({ type: "send", roomId: general.id, body: "answer", replyTo: 1 }),
    ]);
    const joins = socket.sentOfType("join").length;
    socket.deliver({ type: "error", code: "not_author", message: "no", roomId: general.id, seq: 1 });
    expect(h.core.getState().roomStates[general.id]?.error).toEqual({
      during: "change",
      problem: { code: "not_author" },
    });
    expect(socket.sentOfType("join")).toHaveLength(joins);
    // The local copy of an acked reply already quotes the original.
    const send = socket.sentOfType("send")[0];
    socket.deliver({ type: "ack", roomId: general.id, clientId: send?.clientId ?? "", seq: 2 });
    expect(held(h, 2)?.replyTo).toMatchObject({ seq: 1, authorName: ADA.name, excerpt: "message 1" });
  });

  it("opens a room at a message: highlights a held one, else shows the page around it until it meets the tail", async () => {
    const h = harness();
    const socket = await connect(h);
    const around = range(5, 15).map((seq) => message(general.id, seq, BOB));
    h.http.on(`GET /api/rooms/${general.id}/messages?around=10&limit=25`, {
      body: { ...toPage(around), hasOlder: true, hasNewer: true },
    });
    h.http.on(`GET /api/rooms/${general.id}/messages?before=5&limit=50`, {
      body: { ...toPage(range(1, 4).map((seq) => message(general.id, seq))), hasOlder: false },
    });
    h.core.openSlug("general", 10);
    socket.deliver(
      joinedAt(
        range(100, 110).map((seq) => message(general.id, seq)),
        0,
        { hasOlder: true },
      ),
    );
    await settle();
    const state = () => h.core.getState().roomStates[general.id];
    expect(state()?.focus?.messages.map((m) => m.seq)).toEqual(range(5, 15));
    expect(state()?.highlight?.seq).toBe(10);
    expect(seqs(h, general.id)).toEqual(range(100, 110));

    await h.core.loadOlder(general.id);
    expect(state()?.focus?.messages.map((m) => m.seq)).toEqual(range(1, 15));
    expect(state()?.focus?.hasOlder).toBe(false);

    // A change to a message in the page around shows there too.
    socket.deliver(changeFrame(changed(message(general.id, 10, BOB), 1, { body: "edited old one" })));
    expect(state()?.focus?.messages.find((m) => m.seq === 10)?.body).toBe("edited old one");

    await h.core.openMessage(general.id, 105);
    expect(state()?.focus).toBeNull();
    expect(state()?.highlight?.seq).toBe(105);

    // Sending from a page around an old message goes back to the newest, where the message shows.
    await h.core.openMessage(general.id, 10);
    expect(state()?.focus?.target).toBe(10);
    expect(h.core.send(general.id, "back to now")).toBeNull();
    expect(state()?.focus).toBeNull();
  });

  it("reads the message of /r/<slug>?m=<seq> and builds that address", () => {
    expect(locate("/r/general", "?m=42")).toEqual({ page: "room", slug: "general", seq: 42 });
    expect(locate("/r/general", "?m=0")).toEqual({ page: "room", slug: "general" });
    expect(locate("/r/general", "?m=abc")).toEqual({ page: "room", slug: "general" });
    expect(locate("/r/general", "?m=99999999999")).toEqual({ page: "room", slug: "general" });
    expect(messagePath("日本語", 7)).toBe("/r/%E6%97%A5%E6%9C%AC%E8%AA%9E?m=7");
  });
});
