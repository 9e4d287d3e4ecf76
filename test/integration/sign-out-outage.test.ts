import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { PrivateRedis } from "../support/private-redis.js";
import { testRedisUrl } from "../support/redis.js";

const redisUrl = testRedisUrl();

async function post(server: TestServer, path: string, cookie: string): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { cookie, origin: server.url, "content-type": "application/json" },
    body: "{}",
  });
}

const meStatus = async (server: TestServer, cookie: string) =>
  (await fetch(`${server.url}/api/me`, { headers: { cookie } })).status;

async function sessionRows(server: TestServer, user: SignedInUser) {
  return server.parley.db.selectFrom("session").select("id").where("userId", "=", user.user.id).execute();
}

describe.runIf(redisUrl)("ending sessions while Redis is away", () => {
  it("ends them in SQL, says the cache could not be cleared, and the cookie works nowhere", async () => {
    const redis = await PrivateRedis.start();
    const server = await startServer({ env: { REDIS_URL: redis.url, SESSION_SWEEP_INTERVAL_MS: "200" } });
    try {
      const leaver = await signIn(server.url, "Leaver");
      const revoker = await signIn(server.url, "Revoker");
      const leaverSocket = await ChatClient.connect(server.wsUrl, leaver.cookie);
      const revokerSocket = await ChatClient.connect(server.wsUrl, revoker.cookie);
      expect(await meStatus(server, leaver.cookie)).toBe(200);

      await redis.stop();

      // Before: 200, nothing revoked (the Redis delete threw and better-auth skipped the SQL one).
      const signOut = await post(server, "/api/auth/sign-out", leaver.cookie);
      expect(signOut.status).toBe(503);
      expect(await signOut.json()).toMatchObject({
        error: "session_store_unavailable",
        message: expect.stringMatching(/can no longer be used/),
      });
      expect(signOut.headers.getSetCookie().some((cookie) => /max-age=0/i.test(cookie))).toBe(true);
      expect(await sessionRows(server, leaver)).toEqual([]);

      const revoke = await post(server, "/api/auth/revoke-sessions", revoker.cookie);
      expect(revoke.status).toBe(503);
      expect(await sessionRows(server, revoker)).toEqual([]);

      for (const [user, socket] of [
        [leaver, leaverSocket],
        [revoker, revokerSocket],
      ] as const) {
        expect(await meStatus(server, user.cookie)).toBe(401);
        await expect(ChatClient.connect(server.wsUrl, user.cookie)).rejects.toThrow(/401/);
        expect((await socket.closed).code).toBe(4001);
      }

      // Redis is back: still signed out, and sign-out with a working Redis is a plain 200 again.
      await redis.resume();
      expect(await meStatus(server, leaver.cookie)).toBe(401);
      const next = await signIn(server.url, "Next");
      // Wait (bounded) for the node to reconnect to Redis.
      let status = 0;
      const deadline = Date.now() + 10_000;
      while (status !== 200 && Date.now() < deadline) {
        const again = await signIn(server.url, "Again");
        status = (await post(server, "/api/auth/sign-out", again.cookie)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      expect(await meStatus(server, next.cookie)).toBe(200);
    } finally {
      await server.close();
      await redis.stop();
    }
  });
});

describe("signing out while the database refuses to delete the session", () => {
  it("says so instead of answering 200, and a retry ends the session once the database works", async () => {
    const server = await startServer();
    try {
      const user = await signIn(server.url, "Stuck");
      await sql`create trigger keep_sessions before delete on session begin select raise(abort, 'disk on fire'); end`.execute(
        server.parley.db,
      );
      // Before: better-auth logged the failed delete and answered 200; the session went on working.
      const refused = await post(server, "/api/auth/sign-out", user.cookie);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({
        error: "sign_out_failed",
        message: expect.stringMatching(/could not be signed out.*still works/),
      });
      expect(await meStatus(server, user.cookie)).toBe(200);

      await sql`drop trigger keep_sessions`.execute(server.parley.db);
      expect((await post(server, "/api/auth/sign-out", user.cookie)).status).toBe(200);
      expect(await meStatus(server, user.cookie)).toBe(401);
      expect(await sessionRows(server, user)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
