import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Room } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ChatClient, signIn, waitUntil } from "../support/chat-client.js";
import { startNodeProcess } from "../support/node-process.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

const redisUrl = testRedisUrl();

/** The primary's children: its workers. */
function workerPids(primary: number): number[] {
  return readFileSync(`/proc/${primary}/task/${primary}/children`, "utf8").trim().split(/\s+/).map(Number);
}

/** TCP sockets a process holds open (the listening one included, so compare before and after). */
function openSockets(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:");
    } catch {
      return false; // closed between the listing and the look
    }
  }).length;
}

/** Listening TCP sockets on a port, from the kernel's table (state 0A is LISTEN). */
function listeningSockets(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .filter((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return local?.endsWith(`:${hexPort}`) && state === "0A";
    }).length;
}

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
      // The kernel spreads connections over the workers (SO_REUSEPORT): connect until both hold some.
      const workers = workerPids(node.child.pid ?? 0);
      expect(workers).toHaveLength(2);
      // Each worker listens itself (SO_REUSEPORT): two listening sockets on the port, not the
      // primary's one that node:cluster would hand connections from.
      // The first worker up answers /healthz; wait for the second one to bind too.
      const port = Number(new URL(node.url).port);
      await waitUntil(() => listeningSockets(port) === 2, "both workers listening", 30_000);
      const before = workers.map(openSockets);
      const sockets = [];
      for (const person of people) sockets.push(await ChatClient.connect(node.wsUrl, person.cookie));
      const gained = () => workers.map((pid, i) => openSockets(pid) - (before[i] ?? 0));
      for (let extra = 0; extra < 40 && gained().some((n) => n < 1); extra++) {
        const person = people[extra % people.length];
        if (person) sockets.push(await ChatClient.connect(node.wsUrl, person.cookie));
      }
      expect(gained().every((n) => n >= 1)).toBe(true);
      for (const socket of sockets) await socket.join(room.id);
      for (const [i, socket] of sockets.entries()) {
        socket.send({ type: "send", roomId: room.id, clientId: `worker-msg-${i}`, body: `from ${i}` });
      }
      const total = sockets.length;
      for (const socket of sockets) {
        await waitUntil(() => socket.messages(room.id).length === total, "every message everywhere", 10_000);
        expect(socket.messages(room.id).map((m) => m.seq)).toEqual(
          Array.from({ length: total }, (_, i) => i + 1),
        );
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
