import { avatarPath, MAX_MESSAGE_LENGTH } from "@parley/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { ChatService } from "./chat-service.js";
import { MAX_MESSAGE_BYTES_PER_FRAME, MAX_MESSAGE_BYTES_PER_PAGE } from "./frame-budget.js";
import { Hub } from "./hub.js";
import { toMember } from "./member.js";
import { checkMessageBody } from "./message-rules.js";
import { slugCandidate, slugify } from "./slug.js";
import {
  FakeMembershipStore,
  FakeMessageChangeStore,
  FakeMessageStore,
  FakeRoomStore,
  FakeUserDirectory,
  RecordingSubscriber,
  unlimited,
} from "./testing/fakes.js";

const ada = { id: "u-ada", name: "Ada", image: "/a.svg" };
const bob = { id: "u-bob", name: "Bob", image: "/b.svg" };

describe("room slugs", () => {
  it("derives readable, URL-safe slugs", () => {
    expect(slugify("General")).toBe("general");
    expect(slugify("Café Talk!")).toBe("cafe-talk");
    expect(slugify("  --Release  planning 2027-- ")).toBe("release-planning-2027");
    expect(slugify("日本語の部屋")).toBe("日本語の部屋");
    // Voiced kana stay whole (NFC), not split into a base and a separator.
    expect(slugify("プロジェクト")).toBe("プロジェクト");
    expect(slugify("ガギグ ゲゴ")).toBe("ガギグ-ゲゴ");
    expect(slugify("हिन्दी चर्चा")).toBe("हिन्दी-चर्चा");
    expect(slugify("!!!")).toBe("room");
    expect(slugify("x".repeat(100))).toHaveLength(48);
  });

  it("numbers candidates for a taken slug", () => {
    expect([0, 1, 2].map((n) => slugCandidate("dev", n))).toEqual(["dev", "dev-2", "dev-3"]);
  });
});

describe("message rules", () => {
  it("refuses empty and over-long bodies and accepts the rest", () => {
    expect(checkMessageBody(" \n\t")?.code).toBe("message_empty");
    expect(checkMessageBody("x".repeat(MAX_MESSAGE_LENGTH + 1))?.code).toBe("message_too_long");
    expect(checkMessageBody("x".repeat(MAX_MESSAGE_LENGTH))).toBeNull();
    expect(checkMessageBody("<img src=x onerror=alert(1)>")).toBeNull();
    expect(checkMessageBody("a\u0000b")?.code).toBe("message_invalid");
    expect(checkMessageBody("bell\u0007")?.code).toBe("message_invalid");
    expect(checkMessageBody("\u001b[31mred")?.code).toBe("message_invalid");
    expect(checkMessageBody("cr\r\nlf")?.code).toBe("message_invalid");
    expect(checkMessageBody("c1\u0085")?.code).toBe("message_invalid");
    expect(checkMessageBody("half \ud83d pair")?.code).toBe("message_invalid");
    expect(checkMessageBody("tab\tand\nnewline 🎉")).toBeNull();
  });
});

describe("members", () => {
  it("gives users without a picture the local avatar", () => {
    expect(toMember({ id: "u/1", name: "N", image: null }).image).toBe(avatarPath("u/1"));
    expect(avatarPath("u/1")).toBe("/api/avatars/u%2F1.svg");
    // Only the providers' avatar hosts are kept (the CSP allows no other); any other picture is replaced.
    expect(toMember({ id: "u", name: "N", image: "https://x/y.png" }).image).toBe(avatarPath("u"));
    const github = "https://avatars.githubusercontent.com/u/1?v=4";
    expect(toMember({ id: "u", name: "N", image: github }).image).toBe(github);
  });
});

describe("presence", () => {
  it("counts a user with two tabs once until the last tab leaves", async () => {
    const presence = new InMemoryPresence();
    expect(await presence.add("r", ada, "tab1")).toBe(true);
    expect(await presence.add("r", ada, "tab2")).toBe(false);
    expect(await presence.members("r")).toEqual([ada]);
    expect(await presence.remove("r", ada.id, "tab1")).toBe(false);
    expect(await presence.members("r")).toEqual([ada]);
    expect(await presence.remove("r", ada.id, "tab2")).toBe(true);
    expect(await presence.members("r")).toEqual([]);
    expect(await presence.remove("r", ada.id, "tab2")).toBe(false);
  });
});

describe("hub", () => {
  it("serialises a broadcast once and hands the same frame to every subscriber", () => {
    const hub = new Hub();
    const one = new RecordingSubscriber("1", ada);
    const two = new RecordingSubscriber("2", bob);
    for (const s of [one, two]) {
      hub.subscribe("r", s);
      hub.release("r", s, 0);
    }
    hub.handle({ kind: "presence", roomId: "r", joined: [ada], left: [] });
    expect(one.raw[0]).toBe(two.raw[0]);
  });

  it("counts a fan-out once with its socket count, and a message's latency once per node", () => {
    const calls: string[] = [];
    const metrics = {
      messageStored: () => calls.push("stored"),
      delivered: (sockets: number) => calls.push(`delivered ${sockets}`),
      fannedOut: (latencyMs: number) => calls.push(`latency ${latencyMs}`),
      refused: (code: string) => calls.push(`refused ${code}`),
    };
    const hub = new Hub(0, metrics, { now: () => 1_250 });
    for (const s of [new RecordingSubscriber("1", ada), new RecordingSubscriber("2", bob)]) {
      hub.subscribe("r", s);
      hub.release("r", s, 0);
    }
    hub.handle({
      kind: "message",
      message: { roomId: "r", seq: 1, clientId: "c1", author: ada, body: "hi", createdAt: 1_000 },
    });
    expect(calls).toEqual(["delivered 2", "latency 250"]);
  });

  it("holds live frames during a join and drops messages the snapshot already had", () => {
    const hub = new Hub();
    const joining = new RecordingSubscriber("1", ada);
    hub.subscribe("r", joining);
    const message = (seq: number) => ({
      roomId: "r",
      seq,
      clientId: `c${seq}`,
      author: bob,
      body: "b",
      createdAt: 0,
    });
    hub.handle({ kind: "message", message: message(5) });
    hub.handle({ kind: "message", message: message(6) });
    expect(joining.raw).toHaveLength(0);
    hub.release("r", joining, 5);
    expect(joining.ofType("message").map((f) => f.message.seq)).toEqual([6]);
    hub.handle({ kind: "message", message: message(7) });
    expect(joining.ofType("message").map((f) => f.message.seq)).toEqual([6, 7]);
  });
});

describe("chat service", () => {
  let messages: FakeMessageStore;
  let rooms: FakeRoomStore;
  let chat: ChatService;
  let roomId: string;

  beforeEach(async () => {
    rooms = new FakeRoomStore();
    messages = new FakeMessageStore(rooms);
    chat = new ChatService({
      messages,
      rooms,
      presence: new InMemoryPresence(),
      memberships: new FakeMembershipStore(messages),
      users: new FakeUserDirectory(messages),
      bus: new InProcessBus(),
      clock: { now: () => 1_000 },
      limits: { sends: unlimited, roomCreations: unlimited, changes: unlimited },
      changes: new FakeMessageChangeStore(messages),
    });
    await chat.ensureDefaultRoom();
    await chat.ensureDefaultRoom();
    expect(rooms.rooms).toHaveLength(1);
    roomId = rooms.rooms[0]?.id ?? "";
  });

  it("greets a participant with who it is", () => {
    const socket = new RecordingSubscriber("1", ada);
    chat.participant(socket);
    expect(socket.frames[0]).toEqual({ type: "hello", user: ada });
  });

  it("refuses to send into a room the participant has not joined", async () => {
    const socket = new RecordingSubscriber("1", ada);
    await chat.participant(socket).send({ type: "send", roomId, clientId: "c1", body: "hi" });
    expect(socket.ofType("error")[0]?.code).toBe("not_in_room");
    expect(messages.rows).toHaveLength(0);
  });

  it("refuses an unknown room", async () => {
    const socket = new RecordingSubscriber("1", ada);
    await chat.participant(socket).join({ type: "join", roomId: "nope" });
    expect(socket.ofType("error")[0]).toMatchObject({ code: "unknown_room", roomId: "nope" });
  });

  it("acknowledges a stored send, fans it out, and keeps the sender in the room", async () => {
    const adaSocket = new RecordingSubscriber("1", ada);
    const bobSocket = new RecordingSubscriber("2", bob);
    const adaP = chat.participant(adaSocket);
    const bobP = chat.participant(bobSocket);
    await adaP.join({ type: "join", roomId });
    await bobP.join({ type: "join", roomId });
    await adaP.send({ type: "send", roomId, clientId: "c1", body: "one" });
    await adaP.send({ type: "send", roomId, clientId: "c2", body: "two" });
    expect(adaSocket.ofType("ack").map((a) => a.seq)).toEqual([1, 2]);
    expect(bobSocket.ofType("message").map((m) => [m.message.seq, m.message.author.id])).toEqual([
      [1, ada.id],
      [2, ada.id],
    ]);
    expect(adaSocket.ofType("message")).toHaveLength(2);
  });

  it("stores and delivers a retried send once, acknowledging both", async () => {
    const adaSocket = new RecordingSubscriber("1", ada);
    const bobSocket = new RecordingSubscriber("2", bob);
    const adaP = chat.participant(adaSocket);
    await adaP.join({ type: "join", roomId });
    await chat.participant(bobSocket).join({ type: "join", roomId });
    await Promise.all([
      adaP.send({ type: "send", roomId, clientId: "same", body: "x" }),
      adaP.send({ type: "send", roomId, clientId: "same", body: "x" }),
    ]);
    expect(messages.rows).toHaveLength(1);
    expect(adaSocket.ofType("ack")).toEqual([
      { type: "ack", roomId, clientId: "same", seq: 1 },
      { type: "ack", roomId, clientId: "same", seq: 1 },
    ]);
    expect(bobSocket.ofType("message")).toHaveLength(1);
  });

  it("sends a snapshot on join and only changes afterwards, two tabs counted once", async () => {
    const adaSocket = new RecordingSubscriber("a1", ada);
    await chat.participant(adaSocket).join({ type: "join", roomId });
    await chat.flushPresence();
    const bobTab1 = chat.participant(new RecordingSubscriber("b1", bob));
    const bobTab2Socket = new RecordingSubscriber("b2", bob);
    const bobTab2 = chat.participant(bobTab2Socket);
    await bobTab1.join({ type: "join", roomId });
    await bobTab2.join({ type: "join", roomId });
    await chat.flushPresence();
    expect(bobTab2Socket.ofType("joined")[0]?.members).toEqual([ada, bob]);
    const aboutBob = () => adaSocket.ofType("presence").filter((f) => !f.joined.some((m) => m.id === ada.id));
    expect(aboutBob()).toEqual([{ type: "presence", roomId, joined: [bob], left: [] }]);
    await bobTab1.disconnect();
    await chat.flushPresence();
    expect(aboutBob()).toHaveLength(1);
    await bobTab2.leave(roomId);
    await chat.flushPresence();
    expect(aboutBob()[1]).toEqual({ type: "presence", roomId, joined: [], left: [bob.id] });
    expect(await chat.members(roomId)).toEqual([ada]);
  });

  it("coalesces a burst of joins into one presence frame per room", async () => {
    const watcher = new RecordingSubscriber("w", ada);
    await chat.participant(watcher).join({ type: "join", roomId });
    await chat.flushPresence();
    const before = watcher.ofType("presence").length;
    const crowd = Array.from({ length: 50 }, (_, i) => ({ id: `u${i}`, name: `U${i}`, image: "/x.svg" }));
    for (const [i, member] of crowd.entries()) {
      await chat.participant(new RecordingSubscriber(`c${i}`, member)).join({ type: "join", roomId });
    }
    // One who came and went inside the window is not announced at all.
    const flicker = chat.participant(
      new RecordingSubscriber("f", { id: "flicker", name: "F", image: "/f.svg" }),
    );
    await flicker.join({ type: "join", roomId });
    await flicker.disconnect();
    await chat.flushPresence();
    const frames = watcher.ofType("presence").slice(before);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.joined.map((m) => m.id)).toEqual(crowd.map((m) => m.id));
    expect(frames[0]?.left).toEqual([]);
  });

  it("resumes from a sequence with exactly the missed messages", async () => {
    const writer = chat.participant(new RecordingSubscriber("w", bob));
    await writer.join({ type: "join", roomId });
    for (let i = 1; i <= 5; i++) await writer.send({ type: "send", roomId, clientId: `m${i}`, body: `${i}` });
    const reader = new RecordingSubscriber("r", ada);
    await chat.participant(reader).join({ type: "join", roomId, since: 3 });
    const joined = reader.ofType("joined")[0];
    expect(joined?.messages.map((m) => m.seq)).toEqual([4, 5]);
  });

  it("resumes a client that holds everything with no messages, then the next one live", async () => {
    const writer = chat.participant(new RecordingSubscriber("w", bob));
    await writer.join({ type: "join", roomId });
    const fresh = new RecordingSubscriber("f", ada);
    await chat.participant(fresh).join({ type: "join", roomId, since: 0 });
    expect(fresh.ofType("joined")[0]).toMatchObject({ messages: [], hasOlder: false });
    for (let i = 1; i <= 3; i++) await writer.send({ type: "send", roomId, clientId: `m${i}`, body: `${i}` });
    const reader = new RecordingSubscriber("r", ada);
    await chat.participant(reader).join({ type: "join", roomId, since: 3 });
    expect(reader.ofType("joined")[0]).toMatchObject({ messages: [], hasOlder: true });
    await writer.send({ type: "send", roomId, clientId: "m4", body: "4" });
    expect(reader.ofType("message").map((frame) => frame.message.seq)).toEqual([4]);
  });

  it("carries each author once in a resume frame and a history page, however long their name", async () => {
    // A 200,000-character name on every message once made a 191 MB resume frame.
    const loud = { id: "u-loud", name: "N".repeat(200_000), image: "/l.svg" };
    const writer = chat.participant(new RecordingSubscriber("w", loud));
    await writer.join({ type: "join", roomId });
    for (let i = 1; i <= 40; i++)
      await writer.send({ type: "send", roomId, clientId: `big${i}`, body: `${i}` });
    // Gone, so the name is not in the member list either: what is left is the users map.
    await writer.leave(roomId);

    for (const since of [undefined, 0]) {
      const reader = new RecordingSubscriber(`r${since}`, ada);
      await chat
        .participant(reader)
        .join({ type: "join", roomId, ...(since === undefined ? {} : { since }) });
      const joinedBytes = reader.raw.find((data) =>
        new TextDecoder().decode(data).startsWith('{"type":"joined"'),
      );
      // The name once, plus well under 200 bytes a message.
      expect(joinedBytes?.length).toBeLessThan(200_000 + 40 * 200 + 2_000);
      const joined = reader.ofType("joined")[0];
      expect(joined?.users).toEqual([loud]);
      expect(joined?.messages.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(joined?.messages.every((m) => m.authorId === loud.id)).toBe(true);
      expect(joined?.hasOlder).toBe(false);
    }
    const page = await chat.history(bob.id, roomId, undefined, 50);
    expect(page.users).toEqual([loud]);
    expect(page.messages).toHaveLength(40);
    expect(JSON.stringify(page).length).toBeLessThan(200_000 + 40 * 200 + 2_000);
  });

  it("caps resume frames and history pages in bytes, not items, and pages on to every message", async () => {
    // 40 bodies of 4,000 two-byte characters: 320 KB, past a frame's 256 KiB.
    const writer = chat.participant(new RecordingSubscriber("w", bob));
    await writer.join({ type: "join", roomId });
    for (let i = 1; i <= 40; i++)
      await writer.send({ type: "send", roomId, clientId: `big${i}`, body: "é".repeat(MAX_MESSAGE_LENGTH) });

    for (const since of [undefined, 0, 1]) {
      const reader = new RecordingSubscriber(`r${since}`, ada);
      await chat
        .participant(reader)
        .join({ type: "join", roomId, ...(since === undefined ? {} : { since }) });
      const joinedBytes = reader.raw.find((data) =>
        new TextDecoder().decode(data).startsWith('{"type":"joined"'),
      );
      expect(joinedBytes?.length).toBeLessThan(MAX_MESSAGE_BYTES_PER_FRAME + 2_000);
      const joined = reader.ofType("joined")[0];
      // The newest that fit, marked as not continuous with what the client held.
      expect(joined?.messages.at(-1)?.seq).toBe(40);
      expect(joined?.messages.length).toBeLessThan(40);
      expect(joined?.hasOlder).toBe(true);
    }

    // History pages are bounded too (4 MiB, so this one whole), and `before` reaches every message once.
    const seqs: number[] = [];
    let page = await chat.history(bob.id, roomId, undefined, 25);
    for (let pages = 0; ; pages++) {
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(MAX_MESSAGE_BYTES_PER_PAGE + 2_000);
      seqs.unshift(...page.messages.map((m) => m.seq));
      if (!page.hasOlder || pages > 20) break;
      page = await chat.history(bob.id, roomId, page.messages[0]?.seq, 25);
    }
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("resumes everything missed when it fits in one frame, and the newest page with hasOlder when not", async () => {
    const writer = chat.participant(new RecordingSubscriber("w", bob));
    await writer.join({ type: "join", roomId });
    for (let i = 1; i <= 600; i++)
      await writer.send({ type: "send", roomId, clientId: `c${i}`, body: "x".repeat(400) });
    const small = new RecordingSubscriber("small", ada);
    await chat.participant(small).join({ type: "join", roomId, since: 590 });
    expect(small.ofType("joined")[0]).toMatchObject({ hasOlder: true });
    expect(small.ofType("joined")[0]?.messages.map((m) => m.seq)).toEqual([
      591, 592, 593, 594, 595, 596, 597, 598, 599, 600,
    ]);
    // 600 × ~500 bytes is past the cap: the newest page instead, never more than the cap.
    const behind = new RecordingSubscriber("behind", ada);
    await chat.participant(behind).join({ type: "join", roomId, since: 1 });
    const joined = behind.ofType("joined")[0];
    expect(joined?.hasOlder).toBe(true);
    expect(joined?.messages.at(-1)?.seq).toBe(600);
    expect(joined?.messages.length).toBeLessThanOrEqual(50);
  });

  it("pages history by sequence and says when the start is reached", async () => {
    const writer = chat.participant(new RecordingSubscriber("w", bob));
    await writer.join({ type: "join", roomId });
    for (let i = 1; i <= 7; i++) await writer.send({ type: "send", roomId, clientId: `h${i}`, body: `${i}` });
    const newest = await chat.history(bob.id, roomId, undefined, 3);
    expect(newest.messages.map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.hasOlder).toBe(true);
    const oldest = await chat.history(bob.id, roomId, 2, 3);
    expect(oldest).toMatchObject({ hasOlder: false });
    expect(oldest.messages.map((m) => m.seq)).toEqual([1]);
  });

  it("creates rooms with unique slugs and refuses a name taken in other letter case", async () => {
    const first = await chat.createRoom("Design", ada.id);
    const second = await chat.createRoom("Design!", ada.id);
    expect([first, second].map((r) => r.kind === "created" && r.room.slug)).toEqual(["design", "design-2"]);
    const again = await chat.createRoom("  DESIGN ", ada.id);
    expect(again).toMatchObject({ kind: "name_taken", room: { name: "Design" } });
  });

  it("finds a free slug however many names map to the same one", async () => {
    const slugs = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const result = await chat.createRoom("!".repeat(i + 1), ada.id);
      if (result.kind !== "created") throw new Error(result.kind);
      slugs.add(result.room.slug);
    }
    expect(slugs.size).toBe(60);
  });
});

describe("unread counts", () => {
  it("tells a member's other sockets about new messages and shares read positions between tabs", async () => {
    const rooms = new FakeRoomStore();
    const messages = new FakeMessageStore(rooms);
    const chat = new ChatService({
      messages,
      rooms,
      presence: new InMemoryPresence(),
      memberships: new FakeMembershipStore(messages),
      users: new FakeUserDirectory(messages),
      bus: new InProcessBus(),
      clock: { now: () => 1 },
      limits: { sends: unlimited, roomCreations: unlimited, changes: unlimited },
      changes: new FakeMessageChangeStore(messages),
    });
    await chat.ensureDefaultRoom();
    const roomId = rooms.rooms[0]?.id ?? "";
    const inRoom = new RecordingSubscriber("tab-in-room", ada);
    await chat.participant(inRoom).join({ type: "join", roomId });
    const elsewhereSocket = new RecordingSubscriber("tab-elsewhere", ada);
    const elsewhere = chat.participant(elsewhereSocket);
    await elsewhere.read({ type: "read", roomId, seq: 0 });
    expect(elsewhereSocket.ofType("unread_state")[0]?.rooms).toEqual([
      { roomId, lastSeq: 0, lastReadSeq: 0 },
    ]);

    const bobP = chat.participant(new RecordingSubscriber("bob", bob));
    await bobP.join({ type: "join", roomId });
    await bobP.send({ type: "send", roomId, clientId: "b1", body: "one" });
    await bobP.send({ type: "send", roomId, clientId: "b2", body: "two" });
    expect(elsewhereSocket.ofType("activity")).toEqual([
      { type: "activity", roomId, seq: 1 },
      { type: "activity", roomId, seq: 2 },
    ]);
    expect(inRoom.ofType("activity")).toEqual([]);

    await chat.participant(new RecordingSubscriber("tab-3", ada)).read({ type: "read", roomId, seq: 99 });
    expect(elsewhereSocket.ofType("read_position").at(-1)).toEqual({ type: "read_position", roomId, seq: 2 });
    expect(inRoom.ofType("read_position").at(-1)).toEqual({ type: "read_position", roomId, seq: 2 });
  });
});
