import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, signIn } from "../support/chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { mockGithubAndGoogle, type ProviderMocks, signInWith } from "../support/provider-mocks.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

async function signOut(server: TestServer, cookie: string): Promise<number> {
  const response = await fetch(`${server.url}/api/auth/sign-out`, {
    method: "POST",
    headers: { cookie, origin: server.url, "content-type": "application/json" },
    body: "{}",
  });
  return response.status;
}

async function meStatus(server: TestServer, cookie: string): Promise<number> {
  return (await fetch(`${server.url}/api/me`, { headers: { cookie } })).status;
}

/** Runs the session behaviour against SQL-only sessions and, when available, Redis sessions. */
const redisUrl = testRedisUrl();
const setups = [{ name: "SQL", redis: false }, ...(redisUrl ? [{ name: "Redis", redis: true }] : [])];

describe.each(setups)("sessions in $name", (setup) => {
  let server: TestServer;
  let mocks: ProviderMocks;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    mocks = await mockGithubAndGoogle();
    server = await startServer({
      env: {
        ...mocks.env,
        SESSION_SWEEP_INTERVAL_MS: "200",
        ...(setup.redis && redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await mocks?.restore();
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it("ends the session on sign-out and closes its sockets at once", async () => {
    const user = await signIn(server.url, "Leaver");
    const socket = await ChatClient.connect(server.wsUrl, user.cookie);
    const started = Date.now();
    expect(await signOut(server, user.cookie)).toBe(200);
    const closed = await socket.closed;
    expect(closed.code).toBe(4001);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await meStatus(server, user.cookie)).toBe(401);
    await expect(ChatClient.connect(server.wsUrl, user.cookie)).rejects.toThrow(/401/);
  });

  it("closes the socket of a session that expires while it is open, and refuses its cookie", async () => {
    const user = await signIn(server.url, "Expiring");
    const socket = await ChatClient.connect(server.wsUrl, user.cookie);
    const other = await ChatClient.connect(server.wsUrl, (await signIn(server.url, "Staying")).cookie);
    // Checked a moment ago, and nothing on the bus will say it ended: the session table decides.
    expect(await meStatus(server, user.cookie)).toBe(200);
    await server.parley.db
      .updateTable("session")
      .set({ expiresAt: new Date(Date.now() - 1000).toISOString() })
      .where("userId", "=", user.user.id)
      .execute();
    expect(await meStatus(server, user.cookie)).toBe(401);
    expect((await socket.closed).code).toBe(4001);
    expect(other.socket.readyState).toBe(other.socket.OPEN);
    other.socket.terminate();
  });

  it("closes the sockets of a session revoked from another device, and only those", async () => {
    mocks.github(
      {
        id: 77,
        login: "two",
        name: "Two Devices",
        email: "two@corp.example",
        avatar_url: "https://a.example/2",
      },
      [{ email: "two@corp.example", primary: true, verified: true }],
    );
    const laptop = (await signInWith(server.url, "github")).sessionCookie ?? "";
    const phone = (await signInWith(server.url, "github")).sessionCookie ?? "";
    expect(laptop).not.toBe(phone);
    const laptopSocket = await ChatClient.connect(server.wsUrl, laptop);
    const phoneSocket = await ChatClient.connect(server.wsUrl, phone);
    const revoke = await fetch(`${server.url}/api/auth/revoke-other-sessions`, {
      method: "POST",
      headers: { cookie: laptop, origin: server.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(revoke.status).toBe(200);
    expect((await phoneSocket.closed).code).toBe(4001);
    expect(await meStatus(server, phone)).toBe(401);
    expect(await meStatus(server, laptop)).toBe(200);
    expect(laptopSocket.socket.readyState).toBe(laptopSocket.socket.OPEN);
    laptopSocket.socket.terminate();
  });
});

describe.runIf(redisUrl)("sessions in Redis", () => {
  let server: TestServer;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    server = await startServer({ env: { REDIS_URL: redisUrl ?? "", REDIS_KEY_PREFIX: prefix } });
  });

  afterAll(async () => {
    await server?.close();
    if (redisUrl) await deleteKeys(redisUrl, prefix);
  });

  it("keeps the session in Redis, survives a restart and a flushed key", async () => {
    const redis = new Redis(redisUrl ?? "");
    try {
      const user = await signIn(server.url, "Redis User");
      const token = decodeURIComponent(user.cookie.split("=")[1] ?? "").split(".")[0] ?? "";
      const stored = await redis.get(`${prefix}auth:${token}`);
      expect(stored).not.toBeNull();
      expect(JSON.parse(stored ?? "{}")).toMatchObject({ user: { id: user.user.id, name: "Redis User" } });

      server = await server.restart();
      expect(await meStatus(server, user.cookie)).toBe(200);

      // Our decision (docs/decisions/0003): sessions are kept in SQL too, so a lost key signs nobody out.
      await redis.del(`${prefix}auth:${token}`);
      expect(await meStatus(server, user.cookie)).toBe(200);

      const socket = await ChatClient.connect(server.wsUrl, user.cookie);
      expect(await signOut(server, user.cookie)).toBe(200);
      expect((await socket.closed).code).toBe(4001);
      expect(await redis.get(`${prefix}auth:${token}`)).toBeNull();
      expect(await meStatus(server, user.cookie)).toBe(401);
    } finally {
      redis.disconnect();
    }
  });
});
