import { randomBytes } from "node:crypto";
import type { ErrorFrame, Room } from "@parley/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { ChatClient, readHistoryPage, signIn } from "../support/chat-client.js";
import { clusterDatabase } from "../support/cluster.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

/** One per second, bursts of five: a burst of twenty sent at once must meet the limit. */
const TIGHT_SENDS = { MESSAGE_RATE_PER_SECOND: "1", MESSAGE_BURST: "5" };
const BURST = 5;

let counter = 0;
const nextClientId = () => `l${Date.now().toString(36)}${(counter++).toString(36)}`;

async function createRoom(server: TestServer, cookie: string, name: string) {
  return fetch(`${server.url}/api/rooms`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: server.url },
    body: JSON.stringify({ name }),
  });
}

async function roomOf(response: Response): Promise<Room> {
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: Room }).room;
}

async function stored(server: TestServer, cookie: string, roomId: string) {
  const response = await fetch(`${server.url}/api/rooms/${roomId}/messages?limit=200`, {
    headers: { cookie },
  });
  return (await readHistoryPage(response)).messages;
}

/** Sends `count` messages at once and waits until each is answered by an ack or an error. */
async function burst(socket: ChatClient, roomId: string, count: number) {
  const clientIds = Array.from({ length: count }, () => nextClientId());
  for (const clientId of clientIds)
    socket.send({ type: "send", roomId, clientId, body: `burst ${clientId}` });
  const answers = await Promise.all(
    clientIds.map((clientId) =>
      socket.waitFor((f) => (f.type === "ack" || f.type === "error") && f.clientId === clientId, 10_000),
    ),
  );
  const acked = answers.flatMap((f) => (f.type === "ack" ? [f.clientId] : []));
  const refused = answers.filter((f): f is ErrorFrame => f.type === "error");
  return { acked, refused };
}

/** Retries a refused send after the retryAfter each refusal names, as a client's outbox does. */
async function retryUntilAcked(socket: ChatClient, refusal: ErrorFrame, body: string): Promise<number> {
  let wait = refusal.retryAfter ?? 0;
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    const before = socket.received.length;
    socket.send({ type: "send", roomId: refusal.roomId, clientId: refusal.clientId, body });
    const answer = await socket.waitFor(
      (f) =>
        socket.received.indexOf(f) >= before &&
        (f.type === "ack" || f.type === "error") &&
        f.clientId === refusal.clientId,
    );
    if (answer.type === "ack") return answer.seq;
    expect(answer).toMatchObject({ code: "rate_limited" });
    wait = answer.type === "error" ? (answer.retryAfter ?? 0) : 0;
  }
  throw new Error("the retry was never accepted");
}

describe("message rate limit on one node (in memory)", () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it("refuses sends past the burst with rate_limited and retryAfter, stores none, and takes a later retry", async () => {
    server = await startServer({ env: TIGHT_SENDS });
    const ada = await signIn(server.url, "Ada");
    const room = await roomOf(await createRoom(server, ada.cookie, "Rate"));
    const socket = await ChatClient.connect(server.wsUrl, ada.cookie);
    await socket.join(room.id);

    const { acked, refused } = await burst(socket, room.id, 20);
    expect(acked.length).toBeGreaterThanOrEqual(BURST);
    expect(refused.length).toBeGreaterThan(0);
    for (const refusal of refused) {
      expect(refusal).toMatchObject({ code: "rate_limited", roomId: room.id });
      expect(refusal.retryAfter).toBeGreaterThan(0);
      expect(refusal.message).toMatch(/too fast/);
    }
    // Exactly the acknowledged sends are stored; the refused ones are not.
    expect((await stored(server, ada.cookie, room.id)).map((m) => m.clientId)).toEqual(acked);

    const refusal = refused[0] as ErrorFrame;
    const seq = await retryUntilAcked(socket, refusal, "after waiting");
    expect(seq).toBe(acked.length + 1);
    const messages = await stored(server, ada.cookie, room.id);
    expect(messages.at(-1)).toMatchObject({ clientId: refusal.clientId, body: "after waiting" });

    // The limit is per person: someone else sends at once.
    const bob = await signIn(server.url, "Bob");
    const bobSocket = await ChatClient.connect(server.wsUrl, bob.cookie);
    await bobSocket.join(room.id);
    const bobs = await burst(bobSocket, room.id, BURST);
    expect(bobs.refused).toEqual([]);
    socket.socket.terminate();
    bobSocket.socket.terminate();
  });
});

const redisUrl = testRedisUrl();
const shared = redisUrl ? clusterDatabase() : undefined;

describe.skipIf(!redisUrl || !shared)("message rate limit across nodes (Redis)", () => {
  const prefix = uniquePrefix();
  const nodes: TestServer[] = [];
  let drop: (() => Promise<void>) | undefined;

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await drop?.();
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it("counts one person's sends on every node together", async () => {
    if (!redisUrl || !shared) return;
    const database = await shared.create();
    drop = database.drop;
    const env = {
      ...TIGHT_SENDS,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
    };
    nodes.push(await startServer({ databaseUrl: database.url, env }));
    nodes.push(await startServer({ databaseUrl: database.url, env }));
    const [first, second] = nodes as [TestServer, TestServer];
    const ada = await signIn(first.url, "Ada");
    const room = await roomOf(await createRoom(first, ada.cookie, "Cluster rate"));
    const onFirst = await ChatClient.connect(first.wsUrl, ada.cookie);
    const onSecond = await ChatClient.connect(second.wsUrl, ada.cookie);
    await onFirst.join(room.id);
    await onSecond.join(room.id);

    const firstBurst = await burst(onFirst, room.id, BURST);
    expect(firstBurst.refused).toEqual([]);
    // A node counting alone would take a whole new burst here.
    const secondBurst = await burst(onSecond, room.id, 3);
    expect(secondBurst.refused.length).toBeGreaterThan(0);
    expect(secondBurst.refused[0]).toMatchObject({ code: "rate_limited" });
    const refusal = secondBurst.refused[0] as ErrorFrame;
    await retryUntilAcked(onSecond, refusal, "later, on the second node");
    onFirst.socket.terminate();
    onSecond.socket.terminate();
  });
});

describe("rooms per person per day", () => {
  let server: TestServer;
  afterAll(() => server?.close());

  it("answers 429 with Retry-After and the reason past the day's rooms, for that person only", async () => {
    server = await startServer({ env: { ROOMS_PER_DAY: "2" } });
    const ada = await signIn(server.url, "Ada");
    await roomOf(await createRoom(server, ada.cookie, "One"));
    await roomOf(await createRoom(server, ada.cookie, "Two"));
    const third = await createRoom(server, ada.cookie, "Three");
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
    const body = (await third.json()) as {
      error: string;
      reason: string;
      message: string;
      retryAfter: number;
    };
    expect(body).toMatchObject({ error: "rate_limited", reason: "rooms_per_day" });
    // Milliseconds in the body, as in every refusal; whole seconds, rounded up, in the header.
    expect(Math.ceil(body.retryAfter / 1000)).toBe(retryAfter);
    expect(body.message).toMatch(/rooms/);
    const list = await fetch(`${server.url}/api/rooms?limit=200`, { headers: { cookie: ada.cookie } });
    const names = ((await list.json()) as { rooms: Room[] }).rooms.map((room) => room.name);
    expect(names).not.toContain("Three");

    const bob = await signIn(server.url, "Bob");
    await roomOf(await createRoom(server, bob.cookie, "Three"));
  });
});
