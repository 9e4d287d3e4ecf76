import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message, Room } from "@parley/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../web/src/core/testing/fakes.js";

import { ChatClient, readHistoryPage, signIn, waitUntil } from "../support/chat-client.js";
import { type Cluster, clusterDatabase, startCluster } from "../support/cluster.js";
import { NodeChatClient } from "../support/node-chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { PrivateRedis } from "../support/private-redis.js";
import { testRedisUrl } from "../support/redis.js";

const redisUrl = testRedisUrl();

async function storedSeqs(server: TestServer, cookie: string, roomId: string) {
  const all: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const query = before === undefined ? "?limit=200" : `?limit=200&before=${before}`;
    const page = await readHistoryPage(
      await fetch(`${server.url}/api/rooms/${roomId}/messages${query}`, { headers: { cookie } }),
    );
    all.unshift(...page.messages);
    if (!page.hasOlder) return all;
    before = page.messages[0]?.seq;
  }
}

async function createRoom(server: TestServer, cookie: string, name: string): Promise<Room> {
  const response = await fetch(`${server.url}/api/rooms`, {
    method: "POST",
    headers: { cookie, origin: server.url, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  return ((await response.json()) as { room: Room }).room;
}

const status = async (url: string) => (await fetch(url)).status;

describe.runIf(redisUrl)("Redis outage and return", () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("refuses sends clearly while Redis is away, reports it on /readyz, and resumes by itself", async () => {
    const redis = await PrivateRedis.start();
    closers.push(() => redis.stop());
    const dir = mkdtempSync(join(tmpdir(), "parley-outage-"));
    const env = { REDIS_URL: redis.url, AUTH_SECRET: randomBytes(32).toString("base64url") };
    const databaseUrl = join(dir, "shared.sqlite");
    const a = await startServer({ databaseUrl, env });
    closers.push(() => a.close());
    const b = await startServer({ databaseUrl, env });
    closers.push(() => b.close());

    const sender = await signIn(a.url, "Sender");
    const receiver = await signIn(a.url, "Receiver");
    const room = await createRoom(a, sender.cookie, "Outage");
    const onA = await ChatClient.connect(a.wsUrl, sender.cookie);
    const onB = await ChatClient.connect(b.wsUrl, receiver.cookie);
    await onA.join(room.id);
    await onB.join(room.id);
    onA.send({ type: "send", roomId: room.id, clientId: "before-outage", body: "before" });
    await onB.waitFor((f) => f.type === "message" && f.message.clientId === "before-outage");

    await redis.stop();
    const deadline = Date.now() + 10_000;
    while ((await status(`${a.url}/readyz`)) !== 503) {
      if (Date.now() > deadline) throw new Error("/readyz never reported the outage");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await status(`${a.url}/healthz`)).toBe(200);
    const readiness = await (await fetch(`${a.url}/readyz`)).json();
    expect(readiness).toMatchObject({ ready: false, checks: { database: "ok" } });

    onA.send({ type: "send", roomId: room.id, clientId: "during-outage", body: "during" });
    const refused = await onA.waitFor((f) => f.type === "error" && f.clientId === "during-outage");
    expect(refused).toMatchObject({ code: "unavailable" });
    expect(onA.socket.readyState).toBe(onA.socket.OPEN);

    await redis.resume();
    for (const node of [a, b]) {
      const until = Date.now() + 15_000;
      while ((await status(`${node.url}/readyz`)) !== 200) {
        if (Date.now() > until) throw new Error("/readyz did not recover");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    onA.send({ type: "send", roomId: room.id, clientId: "after-outage", body: "after" });
    await onB.waitFor((f) => f.type === "message" && f.message.clientId === "after-outage", 10_000);
    const acked = onA.received
      .filter((f) => f.type === "ack")
      .map((f) => (f.type === "ack" ? f.clientId : ""));
    expect(acked).toEqual(["before-outage", "after-outage"]);
    const stored = await storedSeqs(a, sender.cookie, room.id);
    expect(stored.map((m) => m.clientId)).toEqual(["before-outage", "after-outage"]);
    expect(stored.map((m) => m.seq)).toEqual([1, 2]);
    onA.socket.terminate();
    onB.socket.terminate();
  }, 60_000);
});

describe.runIf(redisUrl && clusterDatabase())("rolling restart", () => {
  let cluster: Cluster | undefined;
  afterAll(async () => {
    await cluster?.close();
  });

  it("restarts every node in turn while clients send, and loses or repeats nothing", async () => {
    cluster = await startCluster(2, redisUrl ?? "");
    const nodes = cluster.nodes;
    const first = nodes[0] as TestServer;
    const host = await signIn(first.url, "Host");
    const room = await createRoom(first, host.cookie, "Rolling");
    const wsUrls = () => nodes.map((node) => node.wsUrl);
    const clients = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const { cookie } = await signIn(first.url, `Roller ${i}`);
        // The shipped client core; its jitter is seeded so a failing run can be told apart.
        const client = new NodeChatClient({
          wsUrls: wsUrls(),
          httpUrl: first.url,
          cookie,
          random: seededRandom(i + 1),
        });
        client.start();
        client.watch(room.id);
        return client;
      }),
    );
    await waitUntil(() => clients.every((c) => c.hasLoaded(room.id)), "clients in the room", 5000);

    let sending = true;
    let sent = 0;
    const sendLoop = (async () => {
      let n = 0;
      while (sending) {
        for (const client of clients) {
          client.send(room.id, `m${n}`); // throws if refused locally
          sent++;
        }
        n++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    for (let i = 0; i < nodes.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      nodes[i] = await (nodes[i] as TestServer).restart();
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    sending = false;
    await sendLoop;
    await waitUntil(() => clients.every((c) => c.pending === 0), "every send acknowledged", 20_000);

    const stored = await storedSeqs(nodes[0] as TestServer, host.cookie, room.id);
    const total = stored.length;
    await waitUntil(
      () => clients.every((c) => c.lastSeq(room.id) === total),
      "every client caught up",
      20_000,
    );
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const storedIds = new Set(stored.map((m) => m.clientId));
    expect(storedIds.size).toBe(total);
    // Every message the outboxes took is stored once: none lost, none doubled.
    expect(total).toBe(sent);
    for (const client of clients) {
      expect(client.messages(room.id).map((m) => m.seq)).toEqual(
        Array.from({ length: total }, (_, i) => i + 1),
      );
      for (const [clientId, seq] of client.ownCommitted([room.id])) {
        expect(storedIds.has(clientId)).toBe(true);
        expect(stored[seq - 1]?.clientId).toBe(clientId);
      }
      client.stop();
    }
    const reconnects = clients.reduce((sum, c) => sum + c.reconnects, 0);
    console.info(
      `[parley] rolling restart: ${total} messages stored, ${reconnects} reconnects, none lost or doubled`,
    );
    expect(reconnects).toBeGreaterThan(0);
  }, 90_000);
});
