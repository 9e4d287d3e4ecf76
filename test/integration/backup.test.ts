import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Room, RoomExport, type RoomList } from "@parley/protocol";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { MIGRATION_TABLE, migrateTo, migrationNames } from "../../src/storage/migrate.js";
import { ChatClient, readHistoryPage, type SignedInUser, signIn } from "../support/chat-client.js";
import { sqliteDatabase, type TestDatabase, testDatabases } from "../support/databases.js";
import { startServer, type TestServer } from "../support/parley-server.js";

// Same secret on both sides of a restore, as a real install keeps it: cookies are signed with it.
const AUTH_SECRET = "backup-test-secret-that-is-long-enough-0123456789";

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `parley <args>` in its own process, as an operator runs it (`npm run parley -- …`). */
function parley(args: string[], databaseUrl: string): Promise<CliResult> {
  return run(
    process.execPath,
    ["--conditions=parley-source", "--import", "tsx", "src/main/cli.ts", ...args],
    {
      NODE_ENV: "test",
      DATA_DIR: mkdtempSync(join(tmpdir(), "parley-cli-")),
      DATABASE_URL: databaseUrl,
      AUTH_SECRET,
    },
  );
}

/** A command line through the shell, exactly as printed for the operator. */
function shell(command: string): Promise<CliResult> {
  return run("/bin/sh", ["-c", command], {});
}

function run(file: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
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

interface History {
  ada: SignedInUser;
  bob: SignedInUser;
  rooms: Room[];
}

/** Three rooms with messages from two people, memberships and read positions; Ada's cookie stays signed in. */
async function makeHistory(server: TestServer): Promise<History> {
  const ada = await signIn(server.url, "Ada");
  const bob = await signIn(server.url, "Bob");
  const rooms: Room[] = [];
  for (const name of ["Ledger", "Backups", "Quarry"]) {
    const response = await fetch(`${server.url}/api/rooms`, {
      method: "POST",
      headers: { cookie: ada.cookie, "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ name }),
    });
    expect(response.status).toBe(201);
    rooms.push(((await response.json()) as { room: Room }).room);
  }
  const adaSocket = await ChatClient.connect(server.wsUrl, ada.cookie);
  const bobSocket = await ChatClient.connect(server.wsUrl, bob.cookie);
  let sent = 0;
  for (const [index, room] of rooms.entries()) {
    await adaSocket.join(room.id);
    if (index !== 2) await bobSocket.join(room.id);
    for (let i = 0; i < 4 + index; i++) {
      const from = i % 2 === 0 || index === 2 ? adaSocket : bobSocket;
      from.send({ type: "send", roomId: room.id, clientId: `m-${index}-${i}`, body: `${room.name} #${i} ✓` });
      sent++;
      await from.waitFor((frame) => frame.type === "ack" && frame.clientId === `m-${index}-${i}`);
    }
  }
  expect(sent).toBe(15);
  adaSocket.send({ type: "read", roomId: rooms[0]?.id ?? "", seq: 3 });
  bobSocket.send({ type: "read", roomId: rooms[1]?.id ?? "", seq: 5 });
  await waitFor(async () => {
    const positions = await server.parley.db
      .selectFrom("memberships")
      .select("last_read_seq")
      .where("last_read_seq", ">", 0)
      .execute();
    return positions.length === 2;
  }, "the read positions to be stored");
  await adaSocket.close();
  await bobSocket.close();
  return { ada, bob, rooms };
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a user would notice: who they are, the rooms, every message, and where each member has read. */
async function snapshot(server: TestServer, cookie: string) {
  const me = await fetch(`${server.url}/api/me`, { headers: { cookie } });
  expect(me.status, "the old cookie still signs in").toBe(200);
  const { user } = (await me.json()) as { user: { id: string; name: string } };
  const list = (await (
    await fetch(`${server.url}/api/rooms?limit=200`, { headers: { cookie } })
  ).json()) as RoomList;
  const rooms = [];
  for (const room of list.rooms) {
    const page = await readHistoryPage(
      await fetch(`${server.url}/api/rooms/${room.id}/messages?limit=200`, { headers: { cookie } }),
    );
    rooms.push({
      room,
      messages: page.messages.map((m) => ({
        seq: m.seq,
        author: m.author.id,
        body: m.body,
        createdAt: m.createdAt,
      })),
    });
  }
  const memberships = await server.parley.db
    .selectFrom("memberships")
    .select(["user_id", "room_id", "last_read_seq", "joined_at"])
    .orderBy("room_id")
    .orderBy("user_id")
    .execute();
  // A socket works too: joining answers with the room's history and this user's read position.
  const socket = await ChatClient.connect(server.wsUrl, cookie);
  const first = list.rooms.find((room) => room.name === "Ledger");
  const joined = await socket.join(first?.id ?? "");
  await socket.close();
  return {
    user,
    rooms,
    memberships: memberships.map((m) => ({
      ...m,
      last_read_seq: Number(m.last_read_seq),
      joined_at: Number(m.joined_at),
    })),
    joined: { seqs: joined.messages.map((m) => m.seq), lastReadSeq: joined.lastReadSeq },
  };
}

describe("SQLite backup and restore with the parley CLI", () => {
  let source: TestServer;
  let restored: TestServer | undefined;
  let sourceUrl: string;
  let history: History;
  let before: Awaited<ReturnType<typeof snapshot>>;
  const dir = mkdtempSync(join(tmpdir(), "parley-backup-"));

  beforeAll(async () => {
    sourceUrl = (await sqliteDatabase.create()).url;
    source = await startServer({ databaseUrl: sourceUrl, env: { AUTH_SECRET } });
    history = await makeHistory(source);
    before = await snapshot(source, history.ada.cookie);
  });

  afterAll(async () => {
    await restored?.close();
    await source?.close();
  });

  it("backs up the live database while the server runs, and a server on the restored copy has the same history and sessions", async () => {
    const backupFile = join(dir, "parley-backup.sqlite");
    const backup = await parley(["backup", backupFile], sourceUrl);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/integrity ok/);
    // The running server is untouched: it still answers and serves the same history.
    expect(await snapshot(source, history.ada.cookie)).toEqual(before);

    const restoredUrl = join(dir, "restored", "parley.sqlite");
    const restore = await parley(["restore", backupFile], restoredUrl);
    expect(restore.status, restore.stderr).toBe(0);
    restored = await startServer({ databaseUrl: restoredUrl, env: { AUTH_SECRET } });
    const after = await snapshot(restored, history.ada.cookie);
    expect(after).toEqual(before);
    expect(after.rooms.map((r) => [r.room.name, r.messages.length])).toEqual(
      expect.arrayContaining([
        ["Backups", 5],
        ["Ledger", 4],
        ["Quarry", 6],
      ]),
    );
    expect(after.memberships).toHaveLength(5);
    expect((await fetch(`${restored.url}/api/me`, { headers: { cookie: history.bob.cookie } })).status).toBe(
      200,
    );
  });

  it("takes a consistent copy while messages are being written: every room's messages are gap-free up to its last seq", async () => {
    const room = history.rooms[2];
    if (!room) throw new Error("no room");
    const socket = await ChatClient.connect(source.wsUrl, history.ada.cookie);
    await socket.join(room.id);
    let writing = true;
    let sent = 0;
    const writer = (async () => {
      // Bounded: stops when the backup is done, or after 2,000 sends at most.
      while (writing && sent < 2000) {
        const clientId = `during-${sent++}`;
        socket.send({ type: "send", roomId: room.id, clientId, body: `written during the backup ${sent}` });
        await socket.waitFor((frame) => frame.type === "ack" && frame.clientId === clientId);
      }
    })();
    await waitFor(async () => sent > 20, "sends to be under way");
    const file = join(dir, "during-writes.sqlite");
    const backup = await parley(["backup", file], sourceUrl);
    writing = false;
    await writer;
    await socket.close();
    expect(backup.status, backup.stderr).toBe(0);

    const { default: SQLite } = await import("better-sqlite3");
    const copy = new SQLite(file, { readonly: true });
    const rooms = copy
      .prepare(
        "SELECT r.slug, r.last_seq AS lastSeq, COUNT(m.seq) AS count, COALESCE(MAX(m.seq), 0) AS maxSeq FROM rooms r LEFT JOIN messages m ON m.room_id = r.id GROUP BY r.id",
      )
      .all() as Array<{ slug: string; lastSeq: number; count: number; maxSeq: number }>;
    copy.close();
    for (const copied of rooms)
      expect(copied, copied.slug).toMatchObject({ count: copied.lastSeq, maxSeq: copied.lastSeq });
    const copiedRoom = rooms.find((r) => r.slug === room.slug);
    // The copy holds at least the sends acknowledged before it began.
    expect(copiedRoom?.lastSeq).toBeGreaterThan(6);
    expect(copiedRoom?.lastSeq).toBeLessThanOrEqual(6 + sent);
  });

  it("refuses to restore over the database of a running server, and to back up over an existing file", async () => {
    const backupFile = join(dir, "again.sqlite");
    expect((await parley(["backup", backupFile], sourceUrl)).status).toBe(0);
    const refused = await parley(["restore", backupFile], sourceUrl);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^parley: .* is in use \(is the server running\?\)/);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    const again = await parley(["backup", backupFile], sourceUrl);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it("refuses to restore a file that is not a Parley database", async () => {
    const notParley = join(dir, "not-parley.sqlite");
    const empty = await sqliteDatabase.create();
    // Any SQLite file without Parley's migrations.
    const { default: SQLite } = await import("better-sqlite3");
    const other = new SQLite(notParley);
    other.exec("CREATE TABLE t (x)");
    other.close();
    const refused = await parley(["restore", notParley], empty.url);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is not a Parley database/);
    expect(existsSync(empty.url)).toBe(false);
  });

  it("restores a backup from an older Parley and applies the migrations it lacks", async () => {
    const old = join(dir, "old-version.sqlite");
    const database = openDatabase(old);
    await migrateTo(database.db as Kysely<unknown>, "sqlite", "002-memberships");
    await database.close();
    const target = await sqliteDatabase.create();
    const restore = await parley(["restore", old], target.url);
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toContain("applied 003-exact-ids-and-room-names");
    const { default: SQLite } = await import("better-sqlite3");
    const restored = new SQLite(target.url, { readonly: true });
    const applied = restored.prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`).all();
    restored.close();
    expect(applied.map((row) => (row as { name: string }).name)).toEqual(migrationNames());
  });

  it("exports one room as RoomExport JSON: every message once, in order, with its authors and members", async () => {
    const room = history.rooms[1];
    if (!room) throw new Error("no room");
    const file = join(dir, "backups-room.json");
    const result = await parley(["export-room", room.slug, file], sourceUrl);
    expect(result.status, result.stderr).toBe(0);
    const exported = RoomExport.parse(JSON.parse(readFileSync(file, "utf8")));
    const expected = before.rooms.find((r) => r.room.id === room.id)?.messages ?? [];
    expect(exported.room).toMatchObject({ id: room.id, slug: room.slug, name: room.name, lastSeq: 5 });
    expect(
      exported.messages.map((m) => ({
        seq: m.seq,
        author: m.authorId,
        body: m.body,
        createdAt: m.createdAt,
      })),
    ).toEqual(expected);
    expect(exported.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(Object.keys(exported.users).sort()).toEqual([history.ada.user.id, history.bob.user.id].sort());
    expect(exported.memberships.find((m) => m.userId === history.bob.user.id)?.lastReadSeq).toBe(5);

    const missing = await parley(["export-room", "no-such-room", join(dir, "x.json")], sourceUrl);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('parley: there is no room with the slug "no-such-room"');
  });
});

const dumpDatabases: TestDatabase[] = testDatabases().filter((database) => database.name !== "sqlite");

describe.each(dumpDatabases)(
  "backup and restore of $name with the dump commands parley prints",
  (database) => {
    let source: TestServer;
    let restored: TestServer | undefined;
    let sourceUrl: string;
    const drops: Array<() => Promise<void>> = [];

    beforeAll(async () => {
      const created = await database.create();
      drops.push(created.drop);
      sourceUrl = created.url;
      source = await startServer({ databaseUrl: created.url, env: { AUTH_SECRET } });
    });

    afterAll(async () => {
      await restored?.close();
      await source?.close();
      for (const drop of drops) await drop();
    });

    it("dumps with the printed command, restores into a fresh database, and a server there has the same history and sessions", async () => {
      const history = await makeHistory(source);
      const before = await snapshot(source, history.ada.cookie);
      const dir = mkdtempSync(join(tmpdir(), "parley-dump-"));
      const file = join(dir, "parley dump.sql");

      const printed = await parley(["backup", file], sourceUrl);
      expect(printed.status, "the CLI sends MariaDB/PostgreSQL to their dump tools").toBe(2);
      const [dump] = printed.stdout.trim().split("\n");
      // A missing dump client fails here (status 127), in CI as anywhere: never a skip.
      const dumped = await shell(dump ?? "false");
      expect(dumped.status, `${dump}\n${dumped.stderr}`).toBe(0);
      expect(readFileSync(file, "utf8")).toContain("memberships");

      const target = await database.create();
      drops.push(target.drop);
      const [, load] = (await parley(["backup", file], target.url)).stdout.trim().split("\n");
      const loaded = await shell(load ?? "false");
      expect(loaded.status, `${load}\n${loaded.stderr}`).toBe(0);

      restored = await startServer({ databaseUrl: target.url, env: { AUTH_SECRET } });
      expect(await snapshot(restored, history.ada.cookie)).toEqual(before);
      expect(
        (await fetch(`${restored.url}/api/me`, { headers: { cookie: history.bob.cookie } })).status,
      ).toBe(200);

      // export-room reads this database too: the restored room, every message once and in order.
      const room = history.rooms[2];
      const json = join(dir, "room.json");
      const exported = await parley(["export-room", room?.slug ?? "", json], target.url);
      expect(exported.status, exported.stderr).toBe(0);
      const parsed = RoomExport.parse(JSON.parse(readFileSync(json, "utf8")));
      expect(parsed.messages.map((m) => m.body)).toEqual(
        before.rooms.find((r) => r.room.id === room?.id)?.messages.map((m) => m.body),
      );
    });
  },
);
