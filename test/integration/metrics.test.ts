import type { Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

async function createRoom(url: string, cookie: string, name: string): Promise<Room> {
  const response = await fetch(`${url}/api/rooms`, {
    method: "POST",
    headers: { cookie, origin: url, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { room: Room }).room;
}

/** Every sample of a scrape, by its name with labels as written (e.g. `x_total{code="a"}`). */
async function scrape(url: string): Promise<Map<string, number>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe("/metrics after some chat", () => {
  let server: TestServer;
  const clients: ChatClient[] = [];
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await server?.close();
  });

  it("counts messages, deliveries, fan-out latency, refusals by code, sessions, presence and queries", async () => {
    const people = await Promise.all(["Ann", "Bo", "Cy"].map((name) => signIn(server.url, name)));
    const [ann] = people;
    if (!ann) throw new Error("unreachable");
    const room = await createRoom(server.url, ann.cookie, "Counted");
    for (const person of people) {
      const client = await ChatClient.connect(server.wsUrl, person.cookie);
      await client.join(room.id);
      clients.push(client);
    }
    const [sender] = clients;
    if (!sender) throw new Error("unreachable");
    const sent = 5;
    for (let i = 0; i < sent; i++)
      sender.send({ type: "send", roomId: room.id, clientId: `m${i}`, body: `hello ${i}` });
    await waitUntil(() => clients.every((c) => c.messages(room.id).length === sent), "every socket has all");
    // Refusals: a send to a room not joined, and a frame that does not parse.
    sender.send({ type: "send", roomId: "not-joined", clientId: "x1", body: "nope" });
    sender.sendRaw("{not json");
    await waitUntil(() => sender.errors().length === 2, "two error frames");

    const metrics = await scrape(server.url);
    const value = (name: string) => metrics.get(name) ?? Number.NaN;
    expect(value("parley_messages_stored_total")).toBe(sent);
    // Every message went to all three sockets in the room (the sender's too).
    expect(value("parley_deliveries_total")).toBeGreaterThanOrEqual(sent * clients.length);
    expect(value("parley_fanout_latency_seconds_count")).toBe(sent);
    expect(value("parley_fanout_latency_seconds_sum")).toBeGreaterThanOrEqual(0);
    expect(value('parley_fanout_latency_seconds_bucket{le="+Inf"}')).toBe(sent);
    expect(value('parley_refusals_total{code="not_in_room"}')).toBe(1);
    expect(value('parley_refusals_total{code="bad_frame"}')).toBe(1);
    expect(value("parley_database_query_seconds_count")).toBeGreaterThan(sent);
    expect(value("parley_sessions_watched")).toBe(people.length);
    expect(value("parley_presence_members")).toBe(people.length);
    expect(value("parley_websocket_connections")).toBe(clients.length);
  });
});

const redisUrl = testRedisUrl();

describe.runIf(redisUrl)("/metrics with Redis", () => {
  const prefix = uniquePrefix();
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: prefix } });
  });
  afterAll(async () => {
    await server?.close();
    await deleteKeys(redisUrl as string, prefix);
  });

  it("times Redis commands by name: a message's publish, presence scripts, session reads", async () => {
    const count = async (command: string) =>
      (await scrape(server.url)).get(`parley_redis_command_seconds_count{command="${command}"}`) ?? 0;
    const publishedBefore = await count("publish");
    const person = await signIn(server.url, "Timed");
    const client = await ChatClient.connect(server.wsUrl, person.cookie);
    const room = await createRoom(server.url, person.cookie, "Timed in Redis");
    await client.join(room.id);
    client.send({ type: "send", roomId: room.id, clientId: "timed-1", body: "hello" });
    await waitUntil(() => client.messages(room.id).length === 1, "the message back");
    await client.close();
    const metrics = await scrape(server.url);
    expect(await count("publish")).toBeGreaterThan(publishedBefore);
    const timed = [...metrics].filter(([name]) => name.startsWith("parley_redis_command_seconds_count{"));
    expect(timed.length).toBeGreaterThan(2);
    for (const [name, value] of timed) {
      expect(value).toBeGreaterThan(0);
      const command = /command="([^"]+)"/.exec(name)?.[1] ?? "";
      expect(metrics.get(`parley_redis_command_seconds_bucket{le="+Inf",command="${command}"}`)).toBe(value);
    }
  });
});
