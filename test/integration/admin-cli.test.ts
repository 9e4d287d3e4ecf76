import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloseCode, type Room } from "@parley/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type SignedInUser, signIn } from "../support/chat-client.js";
import { mariadbWithServerDefaultCollation, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";
import { deleteKeys, testRedisUrl, uniquePrefix } from "../support/redis.js";

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const AUTH_SECRET = "admin-cli-test-secret-that-is-long-enough-0123456789";
const redisUrl = testRedisUrl();
const defaultCollation = mariadbWithServerDefaultCollation();

/**
 * The admin CLI in its own process against each database, beside a running server: what it does
 * shows on the server (over Redis when there is one: sockets of a deactivated person close at once).
 */
describe.each([...testDatabases(), ...(defaultCollation ? [defaultCollation] : [])])(
  "the admin CLI on $name",
  (database) => {
    let server: TestServer;
    let databaseUrl: string;
    let drop: () => Promise<void>;
    const prefix = uniquePrefix();
    let ada: SignedInUser;
    let bob: SignedInUser;
    const env = () => ({
      NODE_ENV: "test",
      DATA_DIR: mkdtempSync(join(tmpdir(), "parley-cli-")),
      DATABASE_URL: databaseUrl,
      AUTH_SECRET,
      ...(redisUrl && { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }),
    });
    const parley = (...args: string[]) => run(args, env());

    beforeAll(async () => {
      const created = await database.create();
      databaseUrl = created.url;
      drop = created.drop;
      server = await startServer({
        databaseUrl,
        env: { AUTH_SECRET, ...(redisUrl && { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix }) },
      });
      ada = await signIn(server.url, "Ada");
      bob = await signIn(server.url, "Bob");
    });

    afterAll(async () => {
      await server?.close();
      await drop?.();
      if (redisUrl) await deleteKeys(redisUrl, prefix);
    });

    const roleOf = async (who: SignedInUser) =>
      (
        (await (await fetch(`${server.url}/api/me`, { headers: { cookie: who.cookie } })).json()) as {
          role: string;
        }
      ).role;

    it("lists people with their roles, and grants and revokes administrator", async () => {
      const listed = await parley("people", "--json");
      expect(listed.status).toBe(0);
      const people = JSON.parse(listed.stdout) as Array<{ id: string; role: string; deactivated: boolean }>;
      expect(people.map(({ id, role, deactivated }) => ({ id, role, deactivated }))).toEqual([
        { id: ada.user.id, role: "administrator", deactivated: false },
        { id: bob.user.id, role: "member", deactivated: false },
      ]);
      ok(await parley("grant-admin", bob.user.id));
      expect(await roleOf(bob)).toBe("administrator");
      ok(await parley("revoke-admin", bob.user.id));
      expect(await roleOf(bob)).toBe("member");
    });

    it("creates, archives and restores rooms, and sets who may create rooms", async () => {
      const created = await parley("create-room", "Ops Desk");
      expect(created.status).toBe(0);
      expect(created.stdout).toContain("/r/ops-desk");
      const watcher = await ChatClient.connect(server.wsUrl, bob.cookie);
      const room = (
        (await (
          await fetch(`${server.url}/api/rooms/by-slug/ops-desk`, { headers: { cookie: bob.cookie } })
        ).json()) as {
          room: Room;
        }
      ).room;
      await watcher.join(room.id);
      ok(await parley("archive-room", "ops-desk"));
      if (redisUrl)
        await watcher.waitFor((frame) => frame.type === "room_updated" && frame.room.archived === true);
      watcher.send({ type: "send", roomId: room.id, clientId: "cli-archived", body: "hello?" });
      const refusal = await watcher.waitFor(
        (frame) => frame.type === "error" && frame.clientId === "cli-archived",
      );
      // Without Redis this node learns of the archive on the next join; the store refuses either way.
      if (redisUrl) expect(refusal).toMatchObject({ code: "room_archived" });
      ok(await parley("restore-room", room.id));
      await watcher.close();

      ok(await parley("room-creation", "administrators"));
      const refused = await fetch(`${server.url}/api/rooms`, {
        method: "POST",
        headers: { cookie: bob.cookie, origin: server.url, "content-type": "application/json" },
        body: JSON.stringify({ name: "Bob's room" }),
      });
      expect(refused.status).toBe(403);
      expect((await parley("room-creation", "anyone")).status).toBe(1);
      ok(await parley("room-creation", "everyone"));
    });

    it("deactivates and reactivates a person, ending their sessions", async () => {
      const socket = redisUrl ? await ChatClient.connect(server.wsUrl, bob.cookie) : undefined;
      const deactivated = await parley("deactivate", bob.user.id);
      expect(deactivated.status).toBe(0);
      expect(deactivated.stdout).toMatch(/ended [1-9]\d* sessions/);
      if (socket) expect((await socket.closed).code).toBe(CloseCode.sessionEnded);
      expect((await fetch(`${server.url}/api/me`, { headers: { cookie: bob.cookie } })).status).toBe(401);
      ok(await parley("reactivate", bob.user.id));
      const listed = JSON.parse((await parley("people", "--json")).stdout) as Array<{
        id: string;
        deactivated: boolean;
      }>;
      expect(listed.find((person) => person.id === bob.user.id)?.deactivated).toBe(false);
      expect((await parley("revoke-sessions", ada.user.id)).stdout).toMatch(/ended 1 sessions/);
      expect((await fetch(`${server.url}/api/me`, { headers: { cookie: ada.cookie } })).status).toBe(401);
    });

    it("shows stats, refuses mistakes in one line, and wrote every action to the audit table and the log", async () => {
      const stats = await parley("stats", "--json");
      expect(stats.status).toBe(0);
      expect(JSON.parse(stats.stdout)).toMatchObject({
        people: 2,
        deactivated: 0,
        administrators: 1,
        rooms: 2,
      });
      const missing = await parley("deactivate", "nobody@example.invalid");
      expect(missing.status).toBe(1);
      expect(missing.stderr.trim()).toBe('parley: There is no person "nobody@example.invalid".');
      const unknown = await parley("promote", "x");
      expect(unknown.status).toBe(1);
      const last = await parley("revoke-admin", ada.user.id);
      expect(last.status).toBe(1);
      expect(last.stderr).toContain("last administrator");

      const rows = await server.parley.db
        .selectFrom("audit")
        .select(["actor_kind", "action", "target_id"])
        .where("actor_kind", "=", "cli")
        .orderBy("id")
        .execute();
      expect(rows.map((row) => row.action)).toEqual([
        "person.grant_administrator",
        "person.revoke_administrator",
        "room.create",
        "room.archive",
        "room.restore",
        "workspace.room_creation",
        "workspace.room_creation",
        "person.deactivate",
        "person.reactivate",
        "person.revoke_sessions",
      ]);
      const audit = await parley("audit", "--limit", "1");
      const line = JSON.parse(audit.stdout.trim()) as Record<string, unknown>;
      expect(line).toMatchObject({
        actorKind: "cli",
        action: "person.revoke_sessions",
        targetId: ada.user.id,
      });
      // Each action is also a JSON log line on stderr.
      const logged = (await parley("grant-admin", bob.user.id)).stderr
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(logged).toEqual([
        expect.objectContaining({ audit: true, action: "person.grant_administrator" }),
      ]);
    });
  },
);

/** The command succeeded; otherwise the failure shows what it printed. */
function ok(result: CliResult): CliResult {
  if (result.status !== 0)
    throw new Error(`parley exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result;
}

function run(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=parley-source", "--import", "tsx", "src/main/cli.ts", ...args],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}
