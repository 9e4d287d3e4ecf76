import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Room, ServerFrame } from "@parley/protocol";
import SQLite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { ChatClient, readHistoryPage, type SignedInUser, signIn, waitUntil } from "../support/chat-client.js";
import { testDatabases } from "../support/databases.js";
import { LogLines } from "../support/log-lines.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { PausableProxy } from "../support/pausable-proxy.js";
import { PrivateRedis } from "../support/private-redis.js";
import { testRedisUrl } from "../support/redis.js";

/**
 * Frozen dependencies: the process is stopped (or a proxy stops forwarding), TCP stays open and
 * nothing answers. Every request must still get an answer: `unavailable` on the socket, 503 over
 * HTTP, and everything works again, with nothing lost, once the dependency answers again.
 */

/** Any answer at all within this bound; a hang fails here with a clear message, not at the test timeout. */
const ANSWER_WITHIN_MS = 10_000;

function request(server: TestServer, path: string, init: RequestInit = {}) {
  return fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
}

async function createRoom(server: TestServer, user: SignedInUser, name: string) {
  return request(server, "/api/rooms", {
    method: "POST",
    headers: { cookie: user.cookie, origin: server.url, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
}

async function readiness(server: TestServer) {
  const response = await request(server, "/readyz");
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
}

async function waitForReadiness(server: TestServer, status: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await readiness(server);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`/readyz never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function storedClientIds(server: TestServer, user: SignedInUser, roomId: string) {
  const response = await request(server, `/api/rooms/${roomId}/messages?limit=200`, {
    headers: { cookie: user.cookie },
  });
  const page = await readHistoryPage(response);
  expect(page.messages.map((m) => m.seq)).toEqual(page.messages.map((_, i) => i + 1));
  return page.messages.map((m) => m.clientId);
}

/** Sends and returns the answer to this send (an `ack` or an `error` with its clientId). */
async function send(client: ChatClient, roomId: string, clientId: string) {
  const from = client.received.length;
  client.send({ type: "send", roomId, clientId, body: `text of ${clientId}` });
  let answer: ServerFrame | undefined;
  await waitUntil(
    () => {
      answer = client.received
        .slice(from)
        .find((f) => (f.type === "ack" || f.type === "error") && f.clientId === clientId);
      return answer !== undefined;
    },
    `an answer to ${clientId}`,
    ANSWER_WITHIN_MS,
  );
  return answer;
}

/**
 * An outage is logged once when it starts and once when it ends, never per failed request. On a
 * loaded machine a call that was already waiting when the dependency came back can still time out
 * just after, which is a second, short outage: logged as such, in pairs, and never more than that.
 */
function expectOutageLoggedOnce(logs: LogLines, dependency: string) {
  const down = logs.matching(new RegExp(`^${dependency} is unavailable`)).length;
  expect(down).toBeGreaterThanOrEqual(1);
  expect(down).toBeLessThanOrEqual(2);
  expect(logs.matching(new RegExp(`^${dependency} is available again`))).toHaveLength(down);
  expect(logs.errors()).toEqual([]);
}

interface Setup {
  server: TestServer;
  user: SignedInUser;
  room: Room;
  client: ChatClient;
}

async function setUp(server: TestServer): Promise<Setup> {
  const user = await signIn(server.url, "Outage Watcher");
  const room = ((await (await createRoom(server, user, "Outage")).json()) as { room: Room }).room;
  const client = await ChatClient.connect(server.wsUrl, user.cookie);
  await client.join(room.id);
  expect(await send(client, room.id, "before")).toMatchObject({ type: "ack", seq: 1 });
  return { server, user, room, client };
}

/** While frozen: sends get `unavailable`, room creation 503, /readyz 503 naming the check. */
async function expectRefusalsWhileFrozen({ server, user, room, client }: Setup, check: string) {
  const refused = await send(client, room.id, "during");
  expect(refused).toMatchObject({ type: "error", code: "unavailable", roomId: room.id });
  expect(client.socket.readyState).toBe(client.socket.OPEN);

  const creation = await createRoom(server, user, "Made while frozen");
  expect(creation.status).toBe(503);
  expect(creation.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(await creation.json()).toMatchObject({ error: "unavailable" });

  const ready = await waitForReadiness(server, 503);
  expect(ready.body.checks[check]).not.toBe("ok");
}

/** After: everything works, the refused send can be retried, and every acknowledged message is stored once. */
async function expectRecovery({ server, user, room, client }: Setup) {
  await waitForReadiness(server, 200);
  expect(await send(client, room.id, "after")).toMatchObject({ type: "ack" });
  expect(await send(client, room.id, "during")).toMatchObject({ type: "ack" });
  const acked = client.received.flatMap((f) => (f.type === "ack" ? [f.clientId] : []));
  expect(new Set(acked)).toEqual(new Set(["before", "after", "during"]));
  expect(new Set(await storedClientIds(server, user, room.id))).toEqual(new Set(acked));
  expect((await createRoom(server, user, "Made after")).status).toBe(201);
}

const redisUrl = testRedisUrl();
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe.runIf(redisUrl)("a frozen Redis (SIGSTOP)", () => {
  it("answers sends with unavailable, room creation and /readyz with 503, and recovers", async () => {
    const redis = await PrivateRedis.start();
    closers.push(() => redis.stop());
    const logs = new LogLines();
    const server = await startServer({
      env: { REDIS_URL: redis.url, AUTH_SECRET: randomBytes(32).toString("base64url"), LOG_LEVEL: "info" },
      logDestination: logs,
    });
    closers.push(() => server.close());
    const setup = await setUp(server);

    redis.freeze();
    // The outage is noticed first (by a probe or the readiness check), then every send is refused.
    const ready = await waitForReadiness(server, 503);
    expect(ready.body.checks).toMatchObject({ database: "ok" });
    expect(ready.body.checks.redis).not.toBe("ok");
    await expectRefusalsWhileFrozen(setup, "redis");

    redis.thaw();
    await expectRecovery(setup);
    expectOutageLoggedOnce(logs, "redis");
    setup.client.socket.terminate();
  }, 60_000);
});

const networked = testDatabases().filter((database) => database.name !== "sqlite");

describe.each(networked)("a frozen $name (a paused proxy in front of it)", (database) => {
  it("answers sends with unavailable, room creation and /readyz with 503, and recovers", async () => {
    const created = await database.create();
    closers.push(() => created.drop());
    const proxy = await PausableProxy.start(created.url);
    closers.push(() => proxy.close());
    const logs = new LogLines();
    const server = await startServer({
      databaseUrl: proxy.urlFor(created.url),
      env: { LOG_LEVEL: "info" },
      logDestination: logs,
    });
    closers.push(() => server.close());
    const setup = await setUp(server);
    // Signed in but never checked by Parley yet, so its first check needs better-auth and the database.
    const fresh = await fetch(`${server.url}/api/auth/sign-in/anonymous`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name: "Fresh" }),
    });
    const freshCookie = fresh.headers
      .getSetCookie()
      .map((header) => header.split(";")[0])
      .join("; ");

    proxy.pause();
    await expectRefusalsWhileFrozen(setup, "database");
    // Sign-in and the WebSocket upgrade of a cookie not checked yet go through better-auth: 503 too.
    const signInWhileFrozen = await request(server, "/api/auth/sign-in/anonymous", {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name: "Latecomer" }),
    });
    expect(signInWhileFrozen.status).toBe(503);
    expect(signInWhileFrozen.headers.get("retry-after")).toMatch(/^\d+$/);
    await expect(ChatClient.connect(server.wsUrl, freshCookie)).rejects.toThrow("upgrade refused: 503");

    proxy.resume();
    await expectRecovery(setup);
    expectOutageLoggedOnce(logs, "database");
    setup.client.socket.terminate();
  }, 90_000);
});

describe("a SQLite database locked by another process", () => {
  it("answers sends with unavailable after the busy timeout, and stores them once the lock is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-locked-"));
    const databaseUrl = join(dir, "locked.sqlite");
    const logs = new LogLines();
    const server = await startServer({
      databaseUrl,
      env: { LOG_LEVEL: "info", DATABASE_QUERY_TIMEOUT_MS: "300" },
      logDestination: logs,
    });
    closers.push(() => server.close());
    const setup = await setUp(server);

    const other = new SQLite(databaseUrl);
    other.exec("BEGIN EXCLUSIVE");
    const refused = await send(setup.client, setup.room.id, "during");
    expect(refused).toMatchObject({ type: "error", code: "unavailable" });
    other.exec("COMMIT");
    other.close();

    await waitUntil(() => setup.client.socket.readyState === setup.client.socket.OPEN, "socket open");
    expect(await send(setup.client, setup.room.id, "after")).toMatchObject({ type: "ack" });
    expect(await send(setup.client, setup.room.id, "during")).toMatchObject({ type: "ack" });
    expect(await storedClientIds(server, setup.user, setup.room.id)).toEqual(["before", "after", "during"]);
    expectOutageLoggedOnce(logs, "database");
    setup.client.socket.terminate();
  }, 30_000);
});
