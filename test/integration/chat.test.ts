import { expandPage, HistoryPage, MAX_DISPLAY_NAME_LENGTH, type Message, type Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ChatClient, readHistoryPage, signIn, waitUntil } from "../support/chat-client.js";
import { sqliteDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

let clientSeq = 0;
const nextClientId = () => `c${Date.now().toString(36)}${(clientSeq++).toString(36)}`;

async function history(server: TestServer, cookie: string, roomId: string, before?: number) {
  const query = before === undefined ? "" : `?before=${before}`;
  const response = await fetch(`${server.url}/api/rooms/${roomId}/messages${query}`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return readHistoryPage(response);
}

async function createRoom(server: TestServer, cookie: string, name: string): Promise<Room> {
  const response = await fetch(`${server.url}/api/rooms`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: Room }).room;
}

const redisUrl = testRedisUrl();
const setups = [
  ...testDatabases().map((database) => ({
    name: `${database.name}, in-process fan-out`,
    database,
    redis: false,
  })),
  ...(redisUrl
    ? [{ name: "sqlite, Redis fan-out and presence", database: sqliteDatabase, redis: true }]
    : []),
];

describe.each(setups)("chat over the real protocol on $name", ({ database, redis }) => {
  const prefix = uniquePrefix();
  let server: TestServer;
  let drop: () => Promise<void>;
  let general: Room;
  const clients: ChatClient[] = [];

  async function connect(cookie: string) {
    const client = await ChatClient.connect(server.wsUrl, cookie);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    const created = await database.create();
    drop = created.drop;
    server = await startServer({
      databaseUrl: created.url,
      env: redis && redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {},
    });
    const ada = await signIn(server.url, "Ada");
    const rooms = await fetch(`${server.url}/api/rooms`, { headers: { cookie: ada.cookie } });
    const found = ((await rooms.json()) as { rooms: Room[] }).rooms.find((room) => room.slug === "general");
    if (!found) throw new Error("no general room");
    general = found;
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await server?.close();
    await drop?.();
    if (redis && redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it("lets two users exchange messages both ways, authored by their sessions", async () => {
    const ada = await signIn(server.url, "Ada");
    const bob = await signIn(server.url, "Bob");
    const room = await createRoom(server, ada.cookie, "Exchange");
    const adaSocket = await connect(ada.cookie);
    const bobSocket = await connect(bob.cookie);
    await adaSocket.join(room.id);
    await bobSocket.join(room.id);

    adaSocket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: "hello Bob" });
    const atBob = await bobSocket.waitFor((f) => f.type === "message" && f.message.body === "hello Bob");
    bobSocket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: "hi Ada" });
    const atAda = await adaSocket.waitFor((f) => f.type === "message" && f.message.body === "hi Ada");

    expect(atBob.type === "message" && atBob.message.author).toEqual(ada.user);
    expect(atAda.type === "message" && atAda.message.author).toEqual(bob.user);
    // The sender stays in the room after sending: it gets its own message and the next one.
    await adaSocket.waitFor((f) => f.type === "message" && f.message.body === "hello Bob");
    expect(adaSocket.messages(room.id).map((m) => m.body)).toEqual(["hello Bob", "hi Ada"]);
    expect(adaSocket.messages(room.id).map((m) => m.seq)).toEqual([1, 2]);
  });

  it("ignores an author the client puts in the frame", async () => {
    const mallory = await signIn(server.url, "Mallory");
    const victim = await signIn(server.url, "Victim");
    const socket = await connect(mallory.cookie);
    await socket.join(general.id);
    const clientId = nextClientId();
    socket.send({
      type: "send",
      roomId: general.id,
      clientId,
      body: "I am someone else",
      author: victim.user,
      user: victim.user,
      userId: victim.user.id,
    });
    const frame = await socket.waitFor((f) => f.type === "message" && f.message.clientId === clientId);
    expect(frame.type === "message" && frame.message.author).toEqual(mallory.user);
  });

  it("answers an over-long message, an empty one and malformed frames with error frames and keeps the socket", async () => {
    const user = await signIn(server.url, "Careless");
    const socket = await connect(user.cookie);
    await socket.join(general.id);
    const tooLong = nextClientId();
    socket.send({ type: "send", roomId: general.id, clientId: tooLong, body: "x".repeat(4001) });
    const longError = await socket.waitFor((f) => f.type === "error" && f.clientId === tooLong);
    expect(longError.type === "error" && longError.code).toBe("message_too_long");

    const empty = nextClientId();
    socket.send({ type: "send", roomId: general.id, clientId: empty, body: "  \n " });
    const emptyError = await socket.waitFor((f) => f.type === "error" && f.clientId === empty);
    expect(emptyError.type === "error" && emptyError.code).toBe("message_empty");

    socket.sendRaw("{not json");
    socket.send({ type: "shout", roomId: general.id });
    socket.sendRaw(Buffer.from([1, 2, 3]));
    await waitUntil(
      () => socket.errors().filter((f) => f.code === "bad_frame").length === 3,
      "three bad_frame errors",
    );

    const fine = nextClientId();
    socket.send({ type: "send", roomId: general.id, clientId: fine, body: "x".repeat(4000) });
    const ack = await socket.waitFor((f) => f.type === "ack" && f.clientId === fine);
    expect(ack.type === "ack" && ack.seq).toBeGreaterThan(0);
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    const stored = await history(server, user.cookie, general.id);
    expect(stored.messages.some((m) => m.clientId === tooLong || m.clientId === empty)).toBe(false);
  });

  it("refuses an upgrade without a session (401) and from a foreign origin (403)", async () => {
    const user = await signIn(server.url, "Eve");
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(server.wsUrl, { headers });
        socket.on("unexpected-response", (_request, response) => {
          resolve(response.statusCode ?? 0);
          socket.terminate();
        });
        socket.on("open", () => {
          socket.close();
          reject(new Error("upgrade was accepted"));
        });
        socket.on("error", () => undefined);
      });
    expect(await status({ origin: server.url })).toBe(401);
    expect(await status({ origin: server.url, cookie: "better-auth.session_token=forged.value" })).toBe(401);
    expect(await status({ origin: "https://evil.example", cookie: user.cookie })).toBe(403);
  });

  it("answers the REST API with 401 and redirects pages to sign-in without a session", async () => {
    expect((await fetch(`${server.url}/api/rooms`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/rooms/${general.id}/messages`)).status).toBe(401);
    const page = await fetch(`${server.url}/r/general`, { redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toMatch(/^\/signin/);
    const root = await fetch(`${server.url}/`, { redirect: "manual" });
    expect(root.headers.get("location")).toBe("/signin");
  });

  it("sends a member snapshot on join, then only deltas, counting two tabs as one member", async () => {
    const ada = await signIn(server.url, "Ada P");
    const bob = await signIn(server.url, "Bob P");
    const room = await createRoom(server, ada.cookie, "Presence");
    const adaTab = await connect(ada.cookie);
    const first = await adaTab.join(room.id);
    expect(first.members).toEqual([ada.user]);

    const bobTab1 = await connect(bob.cookie);
    const snapshot = await bobTab1.join(room.id);
    expect(snapshot.members.map((m) => m.id).sort()).toEqual([ada.user.id, bob.user.id].sort());
    await adaTab.waitFor((f) => f.type === "presence" && f.joined.some((m) => m.id === bob.user.id));

    const bobTab2 = await connect(bob.cookie);
    const second = await bobTab2.join(room.id);
    expect(second.members).toHaveLength(2);
    // Closing one of two tabs is not a leave.
    await bobTab1.close();
    await bobTab2.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: "still here" });
    await adaTab.waitFor((f) => f.type === "message" && f.message.body === "still here");
    // Only frames about Bob count here (Ada may hear her own arrival echoed).
    const presence = () =>
      adaTab.received.filter(
        (f) =>
          f.type === "presence" &&
          f.roomId === room.id &&
          (f.joined.some((m) => m.id === bob.user.id) || f.left.includes(bob.user.id)),
      );
    expect(presence()).toHaveLength(1);

    // Dropping the last connection without a goodbye is a leave.
    bobTab2.socket.terminate();
    await adaTab.waitFor((f) => f.type === "presence" && f.left.includes(bob.user.id));
    expect(presence()).toHaveLength(2);
    expect(presence().at(-1)).toMatchObject({ joined: [], left: [bob.user.id] });
  });

  it("coalesces a reconnect storm into a few presence frames instead of one per arrival", async () => {
    const watcher = await signIn(server.url, "Watcher");
    const room = await createRoom(server, watcher.cookie, "Storm");
    const watching = await connect(watcher.cookie);
    await watching.join(room.id);
    const crowd = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(server.url, `Crowd ${i}`)));
    const sockets = await Promise.all(crowd.map((person) => connect(person.cookie)));
    await Promise.all(sockets.map((socket) => socket.join(room.id)));
    const arrived = () =>
      watching.received
        .filter((f) => f.type === "presence" && f.roomId === room.id)
        .flatMap((f) => (f.type === "presence" ? f.joined.map((m) => m.id) : []));
    await waitUntil(() => crowd.every((person) => arrived().includes(person.user.id)), "all 30 announced");
    const frames = watching.received.filter((f) => f.type === "presence" && f.roomId === room.id).length;
    console.info(`[parley] 30 arrivals reached a member in ${frames} presence frames`);
    expect(frames).toBeLessThanOrEqual(10);
    for (const socket of sockets) socket.socket.terminate();
  });

  it("creates rooms with unique slugs and tells everyone connected", async () => {
    const user = await signIn(server.url, "Founder");
    const watcher = await connect(user.cookie);
    const first = await createRoom(server, user.cookie, "Café Talk!");
    const second = await createRoom(server, user.cookie, "cafe talk");
    expect(first.slug).toBe("cafe-talk");
    expect(second.slug).toBe("cafe-talk-2");
    await watcher.waitFor((f) => f.type === "room_created" && f.room.id === second.id);
    const bySlug = await fetch(`${server.url}/api/rooms/by-slug/cafe-talk-2`, {
      headers: { cookie: user.cookie },
    });
    expect(((await bySlug.json()) as { room: Room }).room.id).toBe(second.id);
    const foreign = await fetch(`${server.url}/api/rooms`, {
      method: "POST",
      headers: { cookie: user.cookie, "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ name: "Planted" }),
    });
    expect(foreign.status).toBe(403);
    const bad = await fetch(`${server.url}/api/rooms`, {
      method: "POST",
      headers: { cookie: user.cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "   " }),
    });
    expect(bad.status).toBe(400);
  });

  it("gives concurrent senders consecutive sequence numbers and stores a retried send once", async () => {
    const room = await createRoom(server, (await signIn(server.url, "Host")).cookie, "Busy");
    const senders = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const user = await signIn(server.url, `Sender ${i}`);
        const socket = await connect(user.cookie);
        await socket.join(room.id);
        return socket;
      }),
    );
    const perSender = 20;
    for (let n = 0; n < perSender; n++) {
      for (const socket of senders) {
        socket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: `m${n}` });
      }
    }
    const repeated = nextClientId();
    senders[0]?.send({ type: "send", roomId: room.id, clientId: repeated, body: "once" });
    senders[0]?.send({ type: "send", roomId: room.id, clientId: repeated, body: "once" });
    const total = senders.length * perSender + 1;
    await waitUntil(
      () => senders.every((s) => s.received.filter((f) => f.type === "ack").length >= perSender),
      "every ack",
      20_000,
    );
    await waitUntil(
      () => (senders[0]?.received.filter((f) => f.type === "ack").length ?? 0) === perSender + 2,
      "repeat ack",
    );
    const acks = senders[0]?.received.filter((f) => f.type === "ack" && f.clientId === repeated) ?? [];
    expect(acks).toHaveLength(2);
    expect(acks[0]).toEqual(acks[1]);

    const host = await signIn(server.url, "Reader");
    const seqs: number[] = [];
    let page = await history(server, host.cookie, room.id);
    for (;;) {
      seqs.unshift(...page.messages.map((m) => m.seq));
      if (!page.hasOlder) break;
      page = await history(server, host.cookie, room.id, page.messages[0]?.seq);
    }
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it("carries each author of a joined frame and a history page once, whatever their name's length", async () => {
    // The same 20 messages by two people, once with 4-character names and once with 64-character ones.
    async function roomWrittenBy(names: [string, string], roomName: string) {
      const authors = await Promise.all(names.map((name) => signIn(server.url, name)));
      const room = await createRoom(server, authors[0]?.cookie ?? "", roomName);
      const sockets = await Promise.all(authors.map((author) => connect(author.cookie)));
      for (const socket of sockets) await socket.join(room.id);
      for (let i = 0; i < 20; i++) {
        const socket = sockets[i % 2];
        socket?.send({
          type: "send",
          roomId: room.id,
          clientId: `same-length-${i.toString().padStart(2, "0")}`,
          body: `note ${i}`,
        });
        await socket?.waitFor(
          (f) => f.type === "ack" && f.clientId === `same-length-${i.toString().padStart(2, "0")}`,
        );
      }
      const reader = await connect((await signIn(server.url, "Reader")).cookie);
      const joined = await reader.join(room.id);
      const response = await fetch(`${server.url}/api/rooms/${room.id}/messages`, {
        headers: { cookie: authors[0]?.cookie ?? "" },
      });
      const page = HistoryPage.parse(await response.json());
      return { authors: authors.map((a) => a.user), joined, page };
    }
    const long = (initial: string) => `${initial}${"x".repeat(MAX_DISPLAY_NAME_LENGTH - 1)}`;
    const short = await roomWrittenBy(["Ann1", "Ben1"], "Names short");
    const tall = await roomWrittenBy([long("A"), long("B")], "Names long1");

    for (const { authors, joined, page } of [short, tall]) {
      expect(joined.messages).toHaveLength(20);
      expect(joined.users).toHaveLength(2);
      expect(new Set(joined.users)).toEqual(new Set(authors));
      expect(new Set(joined.messages.map((m) => m.authorId))).toEqual(new Set(authors.map((a) => a.id)));
      expect(page.users).toHaveLength(2);
      expect(expandPage(page).messages.map((m) => m.author.name)).toEqual(
        Array.from({ length: 20 }, (_, i) => authors[i % 2]?.name),
      );
    }
    // 60 more characters a name: carried per message that is 20 × 60 bytes; once per author it is
    // 2 × 60 in `users` (and 2 × 60 in `members`, where both still are).
    const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    const extra = MAX_DISPLAY_NAME_LENGTH - 4;
    expect(bytes(tall.joined) - bytes(short.joined)).toBeLessThanOrEqual(4 * extra + 20);
    expect(bytes(tall.page) - bytes(short.page)).toBeLessThanOrEqual(2 * extra + 20);
  });

  it("keeps history complete and in order across a server restart, in keyset pages", async () => {
    const user = await signIn(server.url, "Historian");
    const room = await createRoom(server, user.cookie, "Archive");
    const socket = await connect(user.cookie);
    await socket.join(room.id);
    const count = 120;
    for (let i = 1; i <= count; i++) {
      socket.send({ type: "send", roomId: room.id, clientId: nextClientId(), body: `entry ${i}` });
    }
    await waitUntil(
      () => socket.received.filter((f) => f.type === "ack").length === count,
      "all acks",
      20_000,
    );

    server = await server.restart();

    const again = await connect(user.cookie);
    const joined = await again.join(room.id);
    expect(joined.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => count - 49 + i));
    expect(joined.hasOlder).toBe(true);

    const all: Message[] = [...expandPage(joined).messages];
    let before = joined.messages[0]?.seq;
    let hasOlder = joined.hasOlder;
    while (hasOlder) {
      const page = await history(server, user.cookie, room.id, before);
      all.unshift(...page.messages);
      before = page.messages[0]?.seq;
      hasOlder = page.hasOlder;
    }
    expect(all.map((m) => m.body)).toEqual(Array.from({ length: count }, (_, i) => `entry ${i + 1}`));
    expect(all.every((m) => m.author.id === user.user.id)).toBe(true);
  });
});
