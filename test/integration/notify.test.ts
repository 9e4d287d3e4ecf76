import type { Room, ServerFrame } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { startCluster } from "../support/cluster.js";
import { testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { testRedisUrl } from "../support/redis.js";

let clientSeq = 0;
const nextClientId = () => `n${Date.now().toString(36)}${(clientSeq++).toString(36)}`;

type Frame<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;
const is =
  <T extends ServerFrame["type"]>(type: T, match: (frame: Frame<T>) => boolean = () => true) =>
  (frame: ServerFrame): frame is Frame<T> =>
    frame.type === type && match(frame as Frame<T>);

async function createRoom(server: TestServer, cookie: string, name: string): Promise<Room> {
  const response = await fetch(`${server.url}/api/rooms`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: Room }).room;
}

async function setLevel(server: TestServer, cookie: string, roomId: string, level: string) {
  const response = await fetch(`${server.url}/api/rooms/${roomId}/notification-level`, {
    method: "PUT",
    headers: { cookie, "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ level }),
  });
  expect(response.status).toBe(200);
}

/** Sends and waits for the ack; returns the message's seq. */
async function say(client: ChatClient, roomId: string, body: string): Promise<number> {
  const clientId = nextClientId();
  client.send({ type: "send", roomId, clientId, body });
  const ack = await client.waitFor(is("ack", (frame) => frame.clientId === clientId));
  return ack.seq;
}

describe.each(testDatabases())("mentions, typing and notification levels on $name", (database) => {
  let server: TestServer;
  let drop: () => Promise<void>;
  const clients: ChatClient[] = [];
  const connect = async (user: SignedInUser) => {
    const client = await ChatClient.connect(server.wsUrl, user.cookie);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({
      databaseUrl: created.url,
      env: { MENTION_ROOM_MAX_MEMBERS: "3", TYPING_INTERVAL_MS: "2000" },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await server?.close();
    await drop?.();
  });

  it("resolves a mention at send time: badge live, kept over a reconnect, gone once read; listed in recent mentions", async () => {
    const aiko = await signIn(server.url, "Aiko Tanaka");
    const ben = await signIn(server.url, "Ben");
    const room = await createRoom(server, aiko.cookie, "Mentions");
    const aikoSocket = await connect(aiko);
    let benSocket = await connect(ben);
    await aikoSocket.join(room.id);
    await benSocket.join(room.id);
    await benSocket.send({ type: "leave", roomId: room.id });

    const plain = await say(aikoSocket, room.id, "no mention of ben here, nor of @Benjamin");
    const seq = await say(aikoSocket, room.id, "@ben can you look at this?");
    const mention = await benSocket.waitFor(is("mention", (frame) => frame.roomId === room.id));
    expect(mention.seq).toBe(seq);
    expect(benSocket.received.filter(is("mention")).map((frame) => frame.seq)).not.toContain(plain);
    // The author is never told of their own mention.
    const own = await say(aikoSocket, room.id, "@Aiko Tanaka talking to myself");
    const notified = await benSocket.waitFor(is("notify", (frame) => frame.notification.seq === seq));
    expect(notified.notification).toMatchObject({
      roomId: room.id,
      reason: "mention",
      url: `/r/${room.slug}?m=${seq}`,
      author: { id: aiko.user.id },
      excerpt: "@ben can you look at this?",
    });
    expect(aikoSocket.received.filter(is("mention")).map((frame) => frame.seq)).not.toContain(own);

    benSocket.socket.terminate();
    benSocket = await connect(ben);
    const state = await benSocket.waitFor(is("mention_state"));
    expect(state.rooms.find((entry) => entry.roomId === room.id)?.seqs).toEqual([seq]);

    const recent = await fetch(`${server.url}/api/mentions`, { headers: { cookie: ben.cookie } });
    expect(recent.status).toBe(200);
    const list = (await recent.json()) as { mentions: Array<{ room: Room; message: { seq: number } }> };
    expect(list.mentions.map((entry) => [entry.room.id, entry.message.seq])).toEqual([[room.id, seq]]);

    benSocket.send({ type: "read", roomId: room.id, seq });
    await benSocket.waitFor(is("read_position", (frame) => frame.roomId === room.id && frame.seq === seq));
    benSocket.socket.terminate();
    benSocket = await connect(ben);
    const after = await benSocket.waitFor(is("mention_state"));
    expect(after.rooms.find((entry) => entry.roomId === room.id)).toBeUndefined();
  });

  it("forgets a deleted message's mentions and resolves an edited one again (the edits slice's hooks)", async () => {
    const aiko = await signIn(server.url, "Hook Author");
    const ben = await signIn(server.url, "Hook Reader");
    const room = await createRoom(server, aiko.cookie, "Hooks");
    const aikoSocket = await connect(aiko);
    const benSocket = await connect(ben);
    await benSocket.join(room.id);
    await aikoSocket.join(room.id);
    const seq = await say(aikoSocket, room.id, "@Hook Reader look");
    await benSocket.waitFor(is("mention", (frame) => frame.seq === seq));
    const rows = async () =>
      (
        await server.parley.db
          .selectFrom("mentions")
          .select("user_id")
          .where("room_id", "=", room.id)
          .execute()
      ).map((row) => row.user_id);
    expect(await rows()).toEqual([ben.user.id]);
    const notifier = server.parley.chat.notifier;
    if (!notifier) throw new Error("notifications are off");
    const [message] = aikoSocket.messages(room.id);
    if (!message) throw new Error("no message");
    await notifier.edited({ ...message, body: "@Hook Author only myself now" });
    expect(await rows()).toEqual([]);
    await notifier.edited({ ...message, body: "@Hook Reader again" });
    expect(await rows()).toEqual([ben.user.id]);
    await notifier.deleted(room.id, seq);
    expect(await rows()).toEqual([]);
  });

  it("refuses @room in a room larger than MENTION_ROOM_MAX_MEMBERS, storing nothing", async () => {
    const people = await Promise.all(["Ann", "Bo", "Cy", "Di"].map((name) => signIn(server.url, name)));
    const [ann] = people;
    if (!ann) throw new Error("unreachable");
    const room = await createRoom(server, ann.cookie, "Crowded");
    const sockets = await Promise.all(people.map((person) => connect(person)));
    for (const socket of sockets) await socket.join(room.id);
    const annSocket = sockets[0] as ChatClient;
    const clientId = nextClientId();
    annSocket.send({ type: "send", roomId: room.id, clientId, body: "@room lunch?" });
    const refusal = await annSocket.waitFor(is("error", (frame) => frame.clientId === clientId));
    expect(refusal.code).toBe("room_mention_refused");
    expect(refusal.message).toContain("at most 3 members");
    // Nothing was stored: the next message takes seq 1.
    expect(await say(annSocket, room.id, "lunch, anyone?")).toBe(1);
    // An e-mail address is no mention, and "@roomy" is not @room.
    expect(await say(annSocket, room.id, "write to ann@room.example or @roomy")).toBe(2);
  });

  it("sends typing to the others in the room (never to the typist), at most once per interval", async () => {
    const aiko = await signIn(server.url, "Typist");
    const ben = await signIn(server.url, "Reader");
    const room = await createRoom(server, aiko.cookie, "Typing");
    const aikoSocket = await connect(aiko);
    const benSocket = await connect(ben);
    await aikoSocket.join(room.id);
    await benSocket.join(room.id);

    aikoSocket.send({ type: "typing", roomId: room.id });
    const typing = await benSocket.waitFor(is("typing", (frame) => frame.roomId === room.id));
    expect(typing.users).toEqual([aiko.user]);
    aikoSocket.send({ type: "typing", roomId: room.id });
    const refused = await aikoSocket.waitFor(is("error", (frame) => frame.code === "typing_too_often"));
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(2000);
    // Fence: a message sent after both typing frames reaches Ben after at most the first one.
    await say(aikoSocket, room.id, "fence");
    await benSocket.waitFor(is("message", (frame) => frame.message.body === "fence"));
    expect(benSocket.received.filter(is("typing"))).toHaveLength(1);
    expect(aikoSocket.received.filter(is("typing"))).toHaveLength(0);

    // Typing in a room not joined is refused, not passed on.
    const other = await createRoom(server, aiko.cookie, "Elsewhere");
    aikoSocket.send({ type: "typing", roomId: other.id });
    await aikoSocket.waitFor(
      is("error", (frame) => frame.code === "not_in_room" && frame.roomId === other.id),
    );
  });

  it.each([
    { level: "everything", plain: true, mention: true },
    { level: "mentions", plain: false, mention: true },
    { level: "nothing", plain: false, mention: false },
  ])(
    "notifies by level $level: plain message $plain, mention $mention",
    async ({ level, plain, mention }) => {
      const author = await signIn(server.url, `Author ${level}`);
      const reader = await signIn(server.url, `Reader ${level}`);
      const room = await createRoom(server, author.cookie, `Levels ${level}`);
      const authorSocket = await connect(author);
      const readerSocket = await connect(reader);
      await authorSocket.join(room.id);
      await readerSocket.join(room.id);
      await setLevel(server, reader.cookie, room.id, level);
      const levelNow = await fetch(`${server.url}/api/rooms/${room.id}/notification-level`, {
        headers: { cookie: reader.cookie },
      });
      expect(await levelNow.json()).toEqual({ level, isDefault: false });

      const plainSeq = await say(authorSocket, room.id, "plain news");
      const mentionSeq = await say(authorSocket, room.id, `@Reader ${level} please look`);
      // Fence: the reader is always told of a mention by `mention`, after any notify of the plain message.
      await readerSocket.waitFor(is("mention", (frame) => frame.seq === mentionSeq));
      if (mention) await readerSocket.waitFor(is("notify", (frame) => frame.notification.seq === mentionSeq));
      const told = readerSocket.received.filter(is("notify")).map((frame) => frame.notification.seq);
      expect(told.includes(plainSeq)).toBe(plain);
      expect(told.includes(mentionSeq)).toBe(mention);
    },
  );

  it("defaults to mentions in a room, and answers unknown rooms and bad levels clearly", async () => {
    const user = await signIn(server.url, "Settler");
    const room = await createRoom(server, user.cookie, "Defaults");
    const response = await fetch(`${server.url}/api/rooms/${room.id}/notification-level`, {
      headers: { cookie: user.cookie },
    });
    expect(await response.json()).toEqual({ level: "mentions", isDefault: true });
    const unknown = await fetch(`${server.url}/api/rooms/no-such-room/notification-level`, {
      headers: { cookie: user.cookie },
    });
    expect(unknown.status).toBe(404);
    const members = await fetch(`${server.url}/api/rooms/no-such-room/members`, {
      headers: { cookie: user.cookie },
    });
    expect(members.status).toBe(404);
    const bad = await fetch(`${server.url}/api/rooms/${room.id}/notification-level`, {
      method: "PUT",
      headers: { cookie: user.cookie, "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ level: "loud" }),
    });
    expect(bad.status).toBe(400);
    const anonymous = await fetch(`${server.url}/api/mentions`);
    expect(anonymous.status).toBe(401);
  });

  it("lists a room's members for autocomplete", async () => {
    const owner = await signIn(server.url, "Owner");
    const guest = await signIn(server.url, "青木");
    const room = await createRoom(server, owner.cookie, "Members");
    for (const person of [owner, guest]) {
      const socket = await connect(person);
      await socket.join(room.id);
    }
    const response = await fetch(`${server.url}/api/rooms/${room.id}/members`, {
      headers: { cookie: owner.cookie },
    });
    const { people } = (await response.json()) as { people: Array<{ id: string; name: string }> };
    expect(people.map((member) => member.name).sort()).toEqual(["Owner", "青木"].sort());
  });
});

const redisUrl = testRedisUrl();
const sharedDatabase = testDatabases().some((db) => db.name === "postgres" || db.name === "mariadb");

describe.runIf(redisUrl && sharedDatabase)("typing and mentions across two nodes", () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;

  beforeAll(async () => {
    cluster = await startCluster(2, redisUrl as string, { TYPING_INTERVAL_MS: "2000" });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("carries typing and mentions over the bus, and the interval holds across nodes", async () => {
    const [one, two] = cluster.nodes as [TestServer, TestServer];
    const aiko = await signIn(one.url, "Aiko");
    const ben = await signIn(two.url, "Ben");
    const room = await createRoom(one, aiko.cookie, "Across");
    const aikoOne = await ChatClient.connect(one.wsUrl, aiko.cookie);
    const aikoTwo = await ChatClient.connect(two.wsUrl, aiko.cookie);
    const benSocket = await ChatClient.connect(two.wsUrl, ben.cookie);
    try {
      await aikoOne.join(room.id);
      await aikoTwo.join(room.id);
      await benSocket.join(room.id);
      aikoOne.send({ type: "typing", roomId: room.id });
      await benSocket.waitFor(is("typing", (frame) => frame.users.some((user) => user.id === aiko.user.id)));
      // Aiko's other tab, on the other node, is inside the same interval.
      aikoTwo.send({ type: "typing", roomId: room.id });
      await aikoTwo.waitFor(is("error", (frame) => frame.code === "typing_too_often"));
      const seq = await say(aikoOne, room.id, "@Ben across nodes");
      await benSocket.waitFor(is("mention", (frame) => frame.seq === seq));
      expect(benSocket.received.filter(is("typing"))).toHaveLength(1);
    } finally {
      for (const socket of [aikoOne, aikoTwo, benSocket]) socket.socket.terminate();
    }
  });
});
