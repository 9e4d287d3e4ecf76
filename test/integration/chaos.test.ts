import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message, Room } from "@parley/protocol";
import { afterAll, describe, expect, it, onTestFailed } from "vitest";
import { seededRandom } from "../../web/src/core/testing/fakes.js";
import { readHistoryPage, signIn, waitUntil } from "../support/chat-client.js";
import { clusterDatabase } from "../support/cluster.js";
import { NodeChatClient } from "../support/node-chat-client.js";
import { type NodeProcess, startNodeProcess } from "../support/node-process.js";
import { freePort } from "../support/ports.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

const SENDERS = 10;
const RECEIVERS = 50;
const ROOMS = 3;
const DURATION_MS = 12_000;
const SEND_INTERVAL_MS = 60;
/** Every random choice of the run (who drops, for how long, each client's jitter) follows this seed. */
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Setup {
  name: string;
  nodes: number;
  /** Environment shared by every node of the set-up, and a clean-up. */
  prepare(): Promise<{ env: Record<string, string>; cleanUp(): Promise<void> }>;
}

const redisUrl = testRedisUrl();
const shared = redisUrl ? clusterDatabase() : undefined;
const setups: Setup[] = [
  {
    name: "one node on SQLite",
    nodes: 1,
    async prepare() {
      const dir = mkdtempSync(join(tmpdir(), "parley-chaos-"));
      return {
        env: { DATA_DIR: dir, DATABASE_URL: join(dir, "chaos.sqlite") },
        cleanUp: async () => undefined,
      };
    },
  },
  ...(redisUrl && shared
    ? [
        {
          name: `two nodes on ${shared.name} and Redis`,
          nodes: 2,
          async prepare() {
            const database = await shared.create();
            const prefix = uniquePrefix();
            return {
              env: { DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix },
              async cleanUp() {
                await database.drop();
                await deleteKeys(redisUrl, prefix);
              },
            };
          },
        },
      ]
    : []),
];

async function storedMessages(url: string, cookie: string, roomId: string): Promise<Message[]> {
  const all: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const query = before === undefined ? "?limit=200" : `?limit=200&before=${before}`;
    const page = await readHistoryPage(
      await fetch(`${url}/api/rooms/${roomId}/messages${query}`, { headers: { cookie } }),
    );
    all.unshift(...page.messages);
    if (!page.hasOlder) return all;
    before = page.messages[0]?.seq;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(setups)("chaos: $name", (setup) => {
  const nodes: NodeProcess[] = [];
  const clients: NodeChatClient[] = [];
  let cleanUp: (() => Promise<void>) | undefined;

  afterAll(async () => {
    for (const client of clients) client.stop();
    for (const node of nodes) if (node.child.exitCode === null) await node.kill("SIGKILL");
    await cleanUp?.();
  });

  it("delivers every message to every receiver exactly once, in order, through drops and a SIGKILL", async () => {
    onTestFailed(() => console.error(`[parley] chaos (${setup.name}) failed with CHAOS_SEED=${SEED}`));
    const random = seededRandom(SEED);
    const prepared = await setup.prepare();
    cleanUp = prepared.cleanUp;
    const env = { ...prepared.env, AUTH_SECRET: randomBytes(32).toString("base64url") };
    const ports = await Promise.all(Array.from({ length: setup.nodes }, () => freePort()));
    for (const port of ports) nodes.push(await startNodeProcess(env, port));
    const urls = nodes.map((node) => node.url);
    const wsUrls = nodes.map((node) => node.wsUrl);

    const host = await signIn(urls[0] as string, "Chaos Host");
    const rooms: Room[] = [];
    for (let r = 0; r < ROOMS; r++) {
      const response = await fetch(`${urls[0]}/api/rooms`, {
        method: "POST",
        headers: { cookie: host.cookie, origin: urls[0] as string, "content-type": "application/json" },
        body: JSON.stringify({ name: `Chaos ${r}` }),
      });
      rooms.push(((await response.json()) as { room: Room }).room);
    }
    const people = await Promise.all(
      Array.from({ length: SENDERS + RECEIVERS }, (_, i) =>
        signIn(urls[i % urls.length] as string, `Chaos ${i}`),
      ),
    );
    for (const person of people) {
      // The shipped client core, each with its own seeded jitter.
      const client = new NodeChatClient({
        wsUrls,
        httpUrl: urls[0] as string,
        cookie: person.cookie,
        random: seededRandom(Math.floor(random() * 2 ** 31)),
      });
      client.start();
      for (const room of rooms) client.watch(room.id);
      clients.push(client);
    }
    const senders = clients.slice(0, SENDERS);
    const receivers = clients.slice(SENDERS);
    // A first join brings only the newest page; every room must be loaded before anyone sends,
    // so each client holds each room from seq 1.
    await waitUntil(
      () => clients.every((client) => rooms.every((room) => client.hasLoaded(room.id))),
      "everyone in every room",
      15_000,
    );

    let sending = true;
    let sent = 0;
    const sendLoop = (async () => {
      let n = 0;
      while (sending) {
        for (const [s, sender] of senders.entries()) {
          sender.send((rooms[(n + s) % ROOMS] as Room).id, `s${s}-${n}`); // throws if refused locally
          sent++;
        }
        n++;
        await sleep(SEND_INTERVAL_MS);
      }
    })();

    let drops = 0;
    let pauses = 0;
    const dropLoop = (async () => {
      const until = Date.now() + DURATION_MS - 2000;
      while (Date.now() < until) {
        const receiver = receivers[Math.floor(random() * receivers.length)] as NodeChatClient;
        if (random() < 0.5) {
          receiver.drop(0);
          drops++;
        } else {
          receiver.drop(1000 + random() * 2500);
          pauses++;
        }
        await sleep(60);
      }
    })();

    await sleep(DURATION_MS / 2);
    const victim = nodes[0] as NodeProcess;
    await victim.kill("SIGKILL");
    await sleep(800);
    nodes[0] = await startNodeProcess(env, ports[0]);
    await sleep(DURATION_MS / 2);
    sending = false;
    await Promise.all([sendLoop, dropLoop]);

    await waitUntil(() => senders.every((sender) => sender.pending === 0), "every send acknowledged", 30_000);
    const stored = new Map<string, Message[]>();
    for (const room of rooms)
      stored.set(room.id, await storedMessages(urls[0] as string, host.cookie, room.id));
    await waitUntil(
      () =>
        receivers.every((receiver) =>
          rooms.every((room) => receiver.lastSeq(room.id) === (stored.get(room.id)?.length ?? -1)),
        ),
      "every receiver caught up",
      30_000,
    );

    let totalStored = 0;
    const storedIds = new Map<string, { roomId: string; seq: number }>();
    for (const room of rooms) {
      const messages = stored.get(room.id) ?? [];
      totalStored += messages.length;
      const seqs = messages.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: messages.length }, (_, i) => i + 1));
      for (const message of messages) {
        expect(storedIds.has(message.clientId)).toBe(false);
        storedIds.set(message.clientId, { roomId: room.id, seq: message.seq });
      }
      for (const receiver of receivers) expect(receiver.messages(room.id).map((m) => m.seq)).toEqual(seqs);
    }
    let acked = 0;
    const roomIds = rooms.map((room) => room.id);
    for (const sender of senders) {
      for (const [clientId, seq] of sender.ownCommitted(roomIds)) {
        acked++;
        expect(storedIds.get(clientId)?.seq).toBe(seq);
      }
    }
    const reconnects = clients.reduce((sum, c) => sum + c.reconnects, 0);
    console.info(
      `[parley] chaos (${setup.name}, CHAOS_SEED=${SEED}): ${totalStored} stored in ${ROOMS} rooms, ${acked} acknowledged, ` +
        `${RECEIVERS} receivers × ${ROOMS} rooms complete; ${drops} drops, ${pauses} pauses, ${reconnects} reconnects, 1 SIGKILL; ` +
        `${clients.reduce((sum, c) => sum + c.repeatedOrLate.length, 0)} live frames repeated or late on their socket (merged by the client)`,
    );
    expect(acked).toBe(totalStored);
    // Every message a sender's outbox took is stored, once: the outbox lost none and made no copy.
    expect(totalStored).toBe(sent);
  }, 120_000);
});
