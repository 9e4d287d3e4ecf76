import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Room } from "../../src/protocol/index.js";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { startNodeProcess } from "../support/node-process.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

const redisUrl = testRedisUrl();

describe.runIf(redisUrl)("WORKERS=2 behind one port", () => {
  it("lets clients on different worker processes talk, and stops gracefully on SIGTERM", async () => {
    const prefix = uniquePrefix();
    const node = await startNodeProcess({
      WORKERS: "2",
      REDIS_URL: redisUrl ?? "",
      REDIS_KEY_PREFIX: prefix,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      DATABASE_URL: join(mkdtempSync(join(tmpdir(), "parley-workers-")), "parley.sqlite"),
    });
    try {
      const people = await Promise.all(["W1", "W2", "W3", "W4"].map((name) => signIn(node.url, name)));
      const { cookie } = people[0] ?? { cookie: "" };
      const created = await fetch(`${node.url}/api/rooms`, {
        method: "POST",
        headers: { cookie, origin: node.url, "content-type": "application/json" },
        body: JSON.stringify({ name: "Workers" }),
      });
      const { room } = (await created.json()) as { room: Room };
      // Connections are handed to the workers in turn, so these four sit on both.
      const sockets = [];
      for (const person of people) sockets.push(await ChatClient.connect(node.wsUrl, person.cookie));
      for (const socket of sockets) await socket.join(room.id);
      for (const [i, socket] of sockets.entries()) {
        socket.send({ type: "send", roomId: room.id, clientId: `worker-msg-${i}`, body: `from ${i}` });
      }
      for (const socket of sockets) {
        await waitUntil(() => socket.messages(room.id).length === 4, "four messages everywhere", 10_000);
        expect(socket.messages(room.id).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      }
      const last = sockets.at(-1);
      const joined = await last?.join(room.id);
      expect(joined?.members).toHaveLength(4);

      const closes = sockets.map((socket) => socket.closed);
      expect(await node.kill("SIGTERM")).toBe(0);
      const codes = (await Promise.all(closes)).map((close) => close.code);
      expect(codes.every((code) => code === 1012)).toBe(true);
    } finally {
      if (node.child.exitCode === null) await node.kill("SIGKILL");
      await deleteKeys(redisUrl ?? "", prefix);
    }
  }, 60_000);
});
