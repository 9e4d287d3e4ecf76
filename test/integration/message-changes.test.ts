import type { Message, MessageChangedFrame, Room, ServerFrame } from "@parley/protocol";
import { expandPage, HistoryPage } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seededRandom } from "../../web/src/core/testing/fakes.js";
import { ChatClient, type SignedInUser, signIn, waitUntil } from "../support/chat-client.js";
import { type Cluster, clusterDatabase, startCluster } from "../support/cluster.js";
import { testDatabases } from "../support/databases.js";
import { NodeChatClient } from "../support/node-chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { testRedisUrl } from "../support/redis.js";

let clientSeq = 0;
const nextClientId = () => `e${Date.now().toString(36)}${(clientSeq++).toString(36)}`;

type Joined = Extract<ServerFrame, { type: "joined" }>;
const isChange =
  (seq: number, test: (message: Message) => boolean = () => true) =>
  (frame: ServerFrame): frame is MessageChangedFrame =>
    frame.type === "message_changed" && frame.message.seq === seq && test(frame.message);

async function createRoom(url: string, cookie: string, name: string): Promise<Room> {
  const response = await fetch(`${url}/api/rooms`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: url },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: Room }).room;
}

/** Sends and waits for the ack; returns the seq. */
async function post(socket: ChatClient, roomId: string, body: string, replyTo?: number): Promise<number> {
  const clientId = nextClientId();
  socket.send({ type: "send", roomId, clientId, body, ...(replyTo !== undefined && { replyTo }) });
  const ack = await socket.waitFor(
    (f) => (f.type === "ack" || f.type === "error") && f.clientId === clientId,
  );
  if (ack.type !== "ack") throw new Error(`send refused: ${JSON.stringify(ack)}`);
  return ack.seq;
}

/** The frames received after the first `count`. */
const since = (socket: ChatClient, count: number) => socket.received.slice(count);

describe.each(testDatabases())("edits, deletions, reactions and replies on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  let ada: SignedInUser;
  let bob: SignedInUser;
  const clients: ChatClient[] = [];

  async function connect(user: SignedInUser) {
    const client = await ChatClient.connect(server.wsUrl, user.cookie);
    clients.push(client);
    return client;
  }

  async function storedRow(roomId: string, seq: number) {
    return server.parley.db
      .selectFrom("messages")
      .selectAll()
      .where("room_id", "=", roomId)
      .where("seq", "=", seq)
      .executeTakeFirstOrThrow();
  }

  async function history(cookie: string, roomId: string, query: string) {
    const response = await fetch(`${server.url}/api/rooms/${roomId}/messages?${query}`, {
      headers: { cookie },
    });
    return { status: response.status, body: response.status === 200 ? await response.json() : undefined };
  }

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({ databaseUrl: created.url });
    ada = await signIn(server.url, "Ada");
    bob = await signIn(server.url, "Bob");
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await server?.close();
    await drop?.();
  });

  it("edits a message for everyone in the room, shown as edited, and history keeps the new body", async () => {
    const room = await createRoom(server.url, ada.cookie, "Edits");
    const adaSocket = await connect(ada);
    const bobSocket = await connect(bob);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);
    const seq = await post(adaSocket, room.id, "teh plan");

    adaSocket.send({ type: "edit", roomId: room.id, seq, body: "the plan" });
    const atBob = await bobSocket.waitFor(isChange(seq));
    expect(atBob.message.body).toBe("the plan");
    expect(atBob.message.editedAt).toBeTypeOf("number");
    expect(atBob.changeSeq).toBe(1);
    await adaSocket.waitFor(isChange(seq));

    const page = expandPage(HistoryPage.parse((await history(bob.cookie, room.id, "")).body));
    expect(page.messages.map((m) => [m.body, m.editedAt !== undefined])).toEqual([["the plan", true]]);
  });

  it("refuses an edit or a deletion by someone who is not the author, and changes nothing", async () => {
    const room = await createRoom(server.url, ada.cookie, "Not yours");
    const adaSocket = await connect(ada);
    const bobSocket = await connect(bob);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);
    const seq = await post(adaSocket, room.id, "mine");

    bobSocket.send({ type: "edit", roomId: room.id, seq, body: "now mine" });
    const editError = await bobSocket.waitFor((f) => f.type === "error" && f.seq === seq);
    expect(editError.type === "error" && editError.code).toBe("not_author");
    bobSocket.send({ type: "delete", roomId: room.id, seq });
    await waitUntil(() => bobSocket.errors().filter((f) => f.seq === seq).length === 2, "second refusal");
    expect(bobSocket.errors().map((f) => f.code)).toContain("not_author");
    // An edit of a message that does not exist, and of a room that does not exist.
    bobSocket.send({ type: "edit", roomId: room.id, seq: 99, body: "x" });
    const missing = await bobSocket.waitFor((f) => f.type === "error" && f.seq === 99);
    expect(missing.type === "error" && missing.code).toBe("unknown_message");

    const row = await storedRow(room.id, seq);
    expect(row.body).toBe("mine");
    expect(row.deleted_at).toBeNull();
    expect(bobSocket.received.some((f) => f.type === "message_changed")).toBe(false);
  });

  it("deletes a message as a tombstone: the body is gone from the row and sequences stay gap-free", async () => {
    const room = await createRoom(server.url, ada.cookie, "Deletions");
    const adaSocket = await connect(ada);
    const bobSocket = await connect(bob);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);
    const first = await post(adaSocket, room.id, "secret password 1234");
    bobSocket.send({ type: "react", roomId: room.id, seq: first, emoji: "😮", action: "add" });
    await adaSocket.waitFor(isChange(first, (m) => (m.reactions?.length ?? 0) === 1));

    adaSocket.send({ type: "delete", roomId: room.id, seq: first });
    const atBob = await bobSocket.waitFor(isChange(first, (m) => m.deletedAt !== undefined));
    expect(atBob.message.body).toBe("");
    expect(atBob.message.reactions).toBeUndefined();

    const row = await storedRow(room.id, first);
    expect(row.body).toBe("");
    expect(row.deleted_at).not.toBeNull();
    const reactions = await server.parley.db
      .selectFrom("reactions")
      .selectAll()
      .where("room_id", "=", room.id)
      .execute();
    expect(reactions).toEqual([]);

    const second = await post(adaSocket, room.id, "after the deletion");
    expect(second).toBe(first + 1);
    const page = expandPage(HistoryPage.parse((await history(bob.cookie, room.id, "")).body));
    expect(page.messages.map((m) => [m.seq, m.body, m.deletedAt !== undefined])).toEqual([
      [first, "", true],
      [second, "after the deletion", false],
    ]);
    // A tombstone can be neither edited, deleted again, nor reacted to.
    adaSocket.send({ type: "edit", roomId: room.id, seq: first, body: "back" });
    const refusal = await adaSocket.waitFor((f) => f.type === "error" && f.seq === first);
    expect(refusal.type === "error" && refusal.code).toBe("unknown_message");
  });

  it("counts reactions with who reacted, takes them back, and refuses anything but one emoji", async () => {
    const room = await createRoom(server.url, ada.cookie, "Reactions");
    const adaSocket = await connect(ada);
    const bobSocket = await connect(bob);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);
    const seq = await post(adaSocket, room.id, "ship it?");

    adaSocket.send({ type: "react", roomId: room.id, seq, emoji: "👍", action: "add" });
    // Two sockets race; "who reacted, in order" needs Ada's reaction in before Bob sends his.
    await bobSocket.waitFor(isChange(seq, (m) => m.changeSeq === 1));
    bobSocket.send({ type: "react", roomId: room.id, seq, emoji: "👍", action: "add" });
    bobSocket.send({ type: "react", roomId: room.id, seq, emoji: "👨‍👩‍👧‍👦", action: "add" });
    const three = await adaSocket.waitFor(isChange(seq, (m) => m.changeSeq === 3));
    expect(three.message.reactions).toEqual([
      {
        emoji: "👍",
        users: [
          { id: ada.user.id, name: "Ada" },
          { id: bob.user.id, name: "Bob" },
        ],
      },
      { emoji: "👨‍👩‍👧‍👦", users: [{ id: bob.user.id, name: "Bob" }] },
    ]);

    // Adding the same reaction twice changes nothing: no frame, no change sequence.
    const before = adaSocket.received.length;
    bobSocket.send({ type: "react", roomId: room.id, seq, emoji: "👍", action: "add" });
    bobSocket.send({ type: "react", roomId: room.id, seq, emoji: "👍", action: "remove" });
    const fourth = await adaSocket.waitFor(isChange(seq, (m) => m.changeSeq === 4));
    expect(since(adaSocket, before).filter((f) => f.type === "message_changed")).toEqual([fourth]);
    expect(fourth.message.reactions?.map((r) => [r.emoji, r.users.map((u) => u.name)])).toEqual([
      ["👍", ["Ada"]],
      ["👨‍👩‍👧‍👦", ["Bob"]],
    ]);

    for (const emoji of ["ok", "👍👍", "", "🇯🇵🇯🇵", "a\u0301"]) {
      bobSocket.send({ type: "react", roomId: room.id, seq, emoji, action: "add" });
    }
    await waitUntil(
      () => bobSocket.errors().filter((f) => f.code === "reaction_invalid").length === 5,
      "five reaction_invalid refusals",
    );
    // A flag and a keycap are one emoji each.
    bobSocket.send({ type: "react", roomId: room.id, seq, emoji: "🇯🇵", action: "add" });
    bobSocket.send({ type: "react", roomId: room.id, seq, emoji: "1️⃣", action: "add" });
    const last = await adaSocket.waitFor(isChange(seq, (m) => m.changeSeq === 6));
    expect(last.message.reactions?.map((r) => r.emoji)).toEqual(["👍", "👨‍👩‍👧‍👦", "🇯🇵", "1️⃣"]);
  });

  it("answers a message with a quoted link back to it, and refuses a reply to nothing", async () => {
    const room = await createRoom(server.url, ada.cookie, "Replies");
    const adaSocket = await connect(ada);
    const bobSocket = await connect(bob);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);
    const question = await post(adaSocket, room.id, "Lunch at noon?");
    const answer = await post(bobSocket, room.id, "Yes!", question);
    const live = await adaSocket.waitFor((f) => f.type === "message" && f.message.seq === answer);
    expect(live.type === "message" && live.message.replyTo).toEqual({
      seq: question,
      authorId: ada.user.id,
      authorName: "Ada",
      excerpt: "Lunch at noon?",
    });

    const clientId = nextClientId();
    bobSocket.send({ type: "send", roomId: room.id, clientId, body: "to nothing", replyTo: 999 });
    const refusal = await bobSocket.waitFor((f) => f.type === "error" && f.clientId === clientId);
    expect(refusal.type === "error" && refusal.code).toBe("unknown_message");

    // History shows the quote, and marks it once the original is deleted.
    adaSocket.send({ type: "delete", roomId: room.id, seq: question });
    await bobSocket.waitFor(isChange(question));
    const page = expandPage(HistoryPage.parse((await history(ada.cookie, room.id, "")).body));
    expect(page.messages.find((m) => m.seq === answer)?.replyTo).toEqual({
      seq: question,
      authorId: ada.user.id,
      authorName: "Ada",
      excerpt: "",
      deleted: true,
    });
  });

  it("resumes a client that was away with exactly the final state of what changed, once", async () => {
    const room = await createRoom(server.url, ada.cookie, "Resume changes");
    const adaSocket = await connect(ada);
    await adaSocket.join(room.id);
    const edited = await post(adaSocket, room.id, "first draft");
    const deleted = await post(adaSocket, room.id, "oops, wrong room");
    const reacted = await post(adaSocket, room.id, "coffee?");
    const untouched = await post(adaSocket, room.id, "plain");
    adaSocket.send({ type: "react", roomId: room.id, seq: reacted, emoji: "☕", action: "add" });
    await adaSocket.waitFor(isChange(reacted));

    const bobSocket = await connect(bob);
    const joined = await bobSocket.join(room.id);
    expect(joined.lastChangeSeq).toBe(1);
    expect(joined.messages.find((m) => m.seq === reacted)?.reactions?.[0]?.emoji).toBe("☕");
    await bobSocket.close();

    // While Bob is away: two edits of one message, a deletion, reactions added and taken back.
    adaSocket.send({ type: "edit", roomId: room.id, seq: edited, body: "second draft" });
    adaSocket.send({ type: "edit", roomId: room.id, seq: edited, body: "final draft" });
    adaSocket.send({ type: "delete", roomId: room.id, seq: deleted });
    adaSocket.send({ type: "react", roomId: room.id, seq: reacted, emoji: "☕", action: "remove" });
    adaSocket.send({ type: "react", roomId: room.id, seq: reacted, emoji: "🍵", action: "add" });
    await adaSocket.waitFor(isChange(reacted, (m) => m.changeSeq === 6));

    const back = await connect(bob);
    back.send({ type: "join", roomId: room.id, since: untouched, changesSince: 1 });
    const resumed = (await back.waitFor((f) => f.type === "joined" && f.room.id === room.id)) as Joined;
    const page = expandPage({ users: resumed.users, messages: resumed.changed ?? [] });
    expect(resumed.messages).toEqual([]);
    expect(resumed.lastChangeSeq).toBe(6);
    expect(page.messages.map((m) => [m.seq, m.body, m.deletedAt !== undefined, m.changeSeq])).toEqual([
      [edited, "final draft", false, 3],
      [deleted, "", true, 4],
      [reacted, "coffee?", false, 6],
    ]);
    expect(page.messages[2]?.reactions).toEqual([{ emoji: "🍵", users: [{ id: ada.user.id, name: "Ada" }] }]);

    // Nothing of it comes again live: the next change frame Bob gets is the next change.
    const count = back.received.length;
    adaSocket.send({ type: "edit", roomId: room.id, seq: untouched, body: "plain, edited" });
    const next = await back.waitFor(isChange(untouched));
    expect(next.changeSeq).toBe(7);
    expect(since(back, count).filter((f) => f.type === "message_changed")).toEqual([next]);
  });

  it("brings the shipped client core, back from offline, to exactly the final state", async () => {
    const room = await createRoom(server.url, ada.cookie, "Core resume");
    const adaSocket = await connect(ada);
    await adaSocket.join(room.id);
    const edited = await post(adaSocket, room.id, "draft");
    const deleted = await post(adaSocket, room.id, "mistake");
    const reacted = await post(adaSocket, room.id, "lunch?");
    const client = new NodeChatClient({
      wsUrls: [server.wsUrl],
      httpUrl: server.url,
      cookie: bob.cookie,
      random: seededRandom(7),
    });
    try {
      client.start();
      client.watch(room.id);
      await waitUntil(
        () => client.hasLoaded(room.id) && client.messages(room.id).length === 3,
        "Bob's core loaded",
      );
      client.drop(60_000);
      await waitUntil(() => !client.connected, "Bob offline");
      adaSocket.send({ type: "edit", roomId: room.id, seq: edited, body: "final" });
      adaSocket.send({ type: "delete", roomId: room.id, seq: deleted });
      adaSocket.send({ type: "react", roomId: room.id, seq: reacted, emoji: "🍜", action: "add" });
      adaSocket.send({ type: "react", roomId: room.id, seq: reacted, emoji: "🍣", action: "add" });
      adaSocket.send({ type: "react", roomId: room.id, seq: reacted, emoji: "🍜", action: "remove" });
      await adaSocket.waitFor(isChange(reacted, (m) => m.changeSeq === 5));
      // Back online: the next attempt goes through and resumes with since and changesSince.
      client.drop(0);
      await waitUntil(
        () => client.connected && client.core.getState().roomStates[room.id]?.changeCursor === 5,
        "Bob resumed",
        10_000,
      );
      const state = client.messages(room.id).map((m) => ({
        seq: m.seq,
        body: m.body,
        deleted: m.deletedAt !== undefined,
        reactions: m.reactions?.map((r) => r.emoji) ?? [],
      }));
      expect(state).toEqual([
        { seq: edited, body: "final", deleted: false, reactions: [] },
        { seq: deleted, body: "", deleted: true, reactions: [] },
        { seq: reacted, body: "lunch?", deleted: false, reactions: ["🍣"] },
      ]);
    } finally {
      client.stop();
    }
  });

  it("opens a room at an old message: history around a sequence, through RoomAccess", async () => {
    const room = await createRoom(server.url, ada.cookie, "Around");
    const adaSocket = await connect(ada);
    await adaSocket.join(room.id);
    for (let i = 1; i <= 30; i++) await post(adaSocket, room.id, `message ${i}`);

    const around = await history(bob.cookie, room.id, "around=10&limit=5");
    expect(around.status).toBe(200);
    const page = HistoryPage.parse(around.body);
    expect(page.messages.map((m) => m.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect([page.hasOlder, page.hasNewer]).toEqual([true, true]);
    const edge = HistoryPage.parse((await history(bob.cookie, room.id, "around=2&limit=5")).body);
    expect(edge.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([edge.hasOlder, edge.hasNewer]).toEqual([false, true]);

    expect((await history(bob.cookie, room.id, "around=10&before=5")).status).toBe(400);
    expect((await history(bob.cookie, room.id, "around=0")).status).toBe(400);
    expect((await history(bob.cookie, "no-such-room", "around=3")).status).toBe(404);

    // A room Bob may not read is answered as if it did not exist.
    const canRead = vi
      .spyOn(server.parley.chat.access, "canRead")
      .mockImplementation(async (userId) => userId !== bob.user.id);
    try {
      expect((await history(bob.cookie, room.id, "around=3")).status).toBe(404);
      expect((await history(ada.cookie, room.id, "around=3")).status).toBe(200);
    } finally {
      canRead.mockRestore();
    }
  });

  it("refuses reactions, edits and deletions in a room the person may not read", async () => {
    const room = await createRoom(server.url, ada.cookie, "Closed door");
    const adaSocket = await connect(ada);
    await adaSocket.join(room.id);
    const seq = await post(adaSocket, room.id, "members only");
    const mallory = await signIn(server.url, "Mallory");
    const socket = await connect(mallory);

    const canRead = vi
      .spyOn(server.parley.chat.access, "canRead")
      .mockImplementation(async (userId) => userId !== mallory.user.id);
    try {
      socket.send({ type: "react", roomId: room.id, seq, emoji: "👀", action: "add" });
      socket.send({ type: "delete", roomId: room.id, seq });
      socket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: "x", replyTo: seq });
      socket.send({ type: "react", roomId: "no-such-room", seq, emoji: "👀", action: "add" });
      await waitUntil(() => socket.errors().length === 4, "four refusals");
      expect(socket.errors().map((f) => f.code)).toEqual([
        "unknown_room",
        "unknown_room",
        "not_in_room",
        "unknown_room",
      ]);
    } finally {
      canRead.mockRestore();
    }
    const row = await storedRow(room.id, seq);
    expect([row.body, row.change_seq]).toEqual(["members only", 0]);
  });
});

describe("limits on changes", () => {
  let server: TestServer;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { MESSAGE_CHANGES_PER_MINUTE: "2" } });
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await server?.close();
  });

  it("refuses changes past MESSAGE_CHANGES_PER_MINUTE with a reason and when to retry", async () => {
    const ada = await signIn(server.url, "Ada");
    const room = await createRoom(server.url, ada.cookie, "Busy");
    const socket = await ChatClient.connect(server.wsUrl, ada.cookie);
    clients.push(socket);
    await socket.join(room.id);
    const seq = await post(socket, room.id, "one");
    socket.send({ type: "edit", roomId: room.id, seq, body: "two" });
    socket.send({ type: "edit", roomId: room.id, seq, body: "three" });
    socket.send({ type: "edit", roomId: room.id, seq, body: "four" });
    const refusal = await socket.waitFor((f) => f.type === "error" && f.seq === seq);
    expect(refusal.type === "error" && refusal.code).toBe("rate_limited");
    expect(refusal.type === "error" && refusal.retryAfter).toBeGreaterThan(0);
    expect(refusal.type === "error" && refusal.message).toMatch(/Try again in/);
    await socket.waitFor(isChange(seq, (m) => m.body === "three"));
  });
});

const redisUrl = testRedisUrl();

describe.runIf(redisUrl && clusterDatabase())("changes across two nodes", () => {
  let cluster: Cluster;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2, redisUrl ?? "");
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await cluster?.close();
  });

  it("edits, deletions and reactions made on one node reach the other, in change order", async () => {
    const [one, two] = cluster.nodes;
    if (!one || !two) throw new Error("two nodes");
    const ada = await signIn(one.url, "Ada");
    const bob = await signIn(two.url, "Bob");
    const room = await createRoom(one.url, ada.cookie, "Two nodes");
    const adaSocket = await ChatClient.connect(one.wsUrl, ada.cookie);
    const bobSocket = await ChatClient.connect(two.wsUrl, bob.cookie);
    clients.push(adaSocket, bobSocket);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);
    const first = await post(adaSocket, room.id, "hello from one");
    const second = await post(adaSocket, room.id, "to be deleted");
    adaSocket.send({ type: "edit", roomId: room.id, seq: first, body: "hello from node one" });
    bobSocket.send({ type: "react", roomId: room.id, seq: first, emoji: "👋", action: "add" });
    adaSocket.send({ type: "delete", roomId: room.id, seq: second });
    await waitUntil(
      () => bobSocket.received.filter((f) => f.type === "message_changed").length === 3,
      "three changes at Bob",
    );
    const changes = bobSocket.received.filter((f) => f.type === "message_changed");
    expect(changes.map((f) => f.changeSeq)).toEqual([1, 2, 3]);
    // Applied in change order, each frame's whole message state gives the final state.
    const latest = new Map(changes.map((f) => [f.message.seq, f.message]));
    expect(latest.get(first)?.body).toBe("hello from node one");
    expect(latest.get(first)?.reactions).toEqual([
      { emoji: "👋", users: [{ id: bob.user.id, name: "Bob" }] },
    ]);
    expect(latest.get(second)?.deletedAt).toBeTypeOf("number");
    await adaSocket.waitFor(isChange(second, (m) => m.deletedAt !== undefined));
    const atAda = adaSocket.received.filter((f) => f.type === "message_changed");
    expect(atAda.map((f) => f.changeSeq)).toEqual([1, 2, 3]);
  });
});
