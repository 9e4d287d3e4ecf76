import type { Message } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/in-process-bus.js";
import { InMemoryPresence } from "../presence/in-memory-presence.js";
import { ChatService } from "./chat-service.js";
import {
  type ActionLimiter,
  allMessageChangeHooks,
  type MessageChangeHooks,
  type ModerationPolicy,
} from "./ports.js";
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
const admin = { id: "u-admin", name: "Admin", image: "/c.svg" };

async function setUp(
  options: { moderation?: ModerationPolicy; hooks?: MessageChangeHooks; changes?: ActionLimiter } = {},
) {
  const rooms = new FakeRoomStore();
  const messages = new FakeMessageStore(rooms);
  const chat = new ChatService({
    messages,
    rooms,
    presence: new InMemoryPresence(),
    memberships: new FakeMembershipStore(messages),
    users: new FakeUserDirectory(messages),
    bus: new InProcessBus(),
    clock: { now: () => 5_000 },
    limits: { sends: unlimited, roomCreations: unlimited, changes: options.changes ?? unlimited },
    changes: new FakeMessageChangeStore(messages),
    ...(options.moderation && { moderation: options.moderation }),
    ...(options.hooks && { changeHooks: options.hooks }),
  });
  await chat.ensureDefaultRoom();
  const roomId = rooms.rooms[0]?.id ?? "";
  const { message } = await messages.append({
    roomId,
    author: ada,
    clientId: "c1",
    body: "hello",
    createdAt: 1,
  });
  return { chat, roomId, seq: message.seq, messages };
}

describe("MessageEditor: the one place messages change", () => {
  it("hands every committed edit and deletion to the hooks (search re-indexing, file deletion)", async () => {
    const seen: string[] = [];
    const search: MessageChangeHooks = {
      edited: async (message: Message) => void seen.push(`reindex ${message.seq}: ${message.body}`),
      deleted: async (message: Message) => void seen.push(`unindex ${message.seq}: "${message.body}"`),
    };
    const files: MessageChangeHooks = {
      edited: async () => undefined,
      deleted: async (message: Message) => void seen.push(`delete files of ${message.seq}`),
    };
    const { chat, roomId, seq } = await setUp({ hooks: allMessageChangeHooks(search, files) });
    expect((await chat.editor.edit(ada, { type: "edit", roomId, seq, body: "hello there" })).kind).toBe(
      "changed",
    );
    // Refused or no-op changes reach no hook.
    expect((await chat.editor.edit(bob, { type: "edit", roomId, seq, body: "mine now" })).kind).toBe(
      "refused",
    );
    expect((await chat.editor.edit(ada, { type: "edit", roomId, seq, body: "hello there" })).kind).toBe(
      "unchanged",
    );
    expect((await chat.editor.delete(ada, { type: "delete", roomId, seq })).kind).toBe("changed");
    expect(seen).toEqual(["reindex 1: hello there", 'unindex 1: ""', "delete files of 1"]);
  });

  it("lets whoever the moderation policy allows delete others' messages, and only the author edit", async () => {
    const moderation: ModerationPolicy = { mayDeleteOthersMessages: async (userId) => userId === admin.id };
    const { chat, roomId, seq } = await setUp({ moderation });
    const bobDeletes = await chat.editor.delete(bob, { type: "delete", roomId, seq });
    expect(bobDeletes).toMatchObject({ kind: "refused", code: "not_author" });
    const adminEdits = await chat.editor.edit(admin, { type: "edit", roomId, seq, body: "censored" });
    expect(adminEdits).toMatchObject({ kind: "refused", code: "not_author" });
    const adminDeletes = await chat.editor.delete(admin, { type: "delete", roomId, seq });
    expect(adminDeletes.kind === "changed" && adminDeletes.change.message).toMatchObject({
      body: "",
      deletedAt: 5_000,
      changeSeq: 1,
    });
  });

  it("asks RoomAccess, and answers a room one may not read like one that does not exist", async () => {
    const { chat, roomId, seq } = await setUp();
    chat.access.canRead = async (userId) => userId !== bob.id;
    const refused = await chat.editor.react(bob, { type: "react", roomId, seq, emoji: "👍", action: "add" });
    expect(refused).toMatchObject({ kind: "refused", code: "unknown_room" });
    expect(await chat.editor.replyPreview(roomId, seq)).toMatchObject({
      seq,
      authorName: "Ada",
      excerpt: "hello",
    });
    const added = await chat.editor.react(ada, { type: "react", roomId, seq, emoji: "👍", action: "add" });
    expect(added.kind).toBe("changed");
  });

  it("refuses changes past the person's allowance, with when to retry", async () => {
    const limited: ActionLimiter = { take: async () => ({ allowed: false, retryAfterMs: 1500 }) };
    const { chat, roomId, seq } = await setUp({ changes: limited });
    const socket = new RecordingSubscriber("s1", ada);
    await chat.participant(socket).edit({ type: "edit", roomId, seq, body: "again" });
    expect(socket.ofType("error")).toEqual([
      {
        type: "error",
        code: "rate_limited",
        message: "You are changing messages too fast; nothing was changed. Try again in 1.5 s.",
        roomId,
        seq,
        retryAfter: 1500,
      },
    ]);
  });

  it("sends live changes in change order to joined sockets, and none twice after a join snapshot", async () => {
    const { chat, roomId, seq } = await setUp();
    const socket = new RecordingSubscriber("s1", bob);
    const participant = chat.participant(socket);
    await participant.join({ type: "join", roomId });
    await chat.editor.edit(ada, { type: "edit", roomId, seq, body: "one" });
    await chat.editor.react(bob, { type: "react", roomId, seq, emoji: "🎉", action: "add" });
    await participant.join({ type: "join", roomId, since: seq, changesSince: 1 });
    await chat.editor.edit(ada, { type: "edit", roomId, seq, body: "three" });
    const changes = socket.ofType("message_changed").map((frame) => [frame.changeSeq, frame.message.body]);
    expect(changes).toEqual([
      [1, "one"],
      [2, "one"],
      [3, "three"],
    ]);
    const resumed = socket.ofType("joined").at(-1);
    expect(resumed?.changed?.map((message) => [message.seq, message.changeSeq])).toEqual([[seq, 2]]);
    expect(resumed?.lastChangeSeq).toBe(2);
  });
});
