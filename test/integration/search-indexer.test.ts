import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { MessageChangeRepository } from "../../src/storage/message-change-repository.js";
import { MessageRepository } from "../../src/storage/message-repository.js";
import { migrateToLatest } from "../../src/storage/migrate.js";
import type { Database } from "../../src/storage/schema.js";
import { SearchIndexer } from "../../src/storage/search-indexer.js";
import { SearchRepository } from "../../src/storage/search-repository.js";
import { testDatabases } from "../support/databases.js";

const ada = { id: "u1", name: "Ada", image: "" };
/** Long enough that no batch runs on its own during a test: each test says when to index. */
const NEVER_BY_TIMER = { delayMs: 600_000, sweepIntervalMs: 600_000 };

async function withDatabase(
  database: { create(): Promise<{ url: string; drop(): Promise<void> }> },
  test: (db: Kysely<Database>, kind: ReturnType<typeof openDatabase>["kind"]) => Promise<void>,
) {
  const { url, drop } = await database.create();
  const { db, kind } = openDatabase(url);
  try {
    await migrateToLatest(db as Kysely<unknown>, kind);
    const now = kind === "sqlite" ? "2026-01-01 00:00:00" : new Date("2026-01-01T00:00:00Z");
    await sql`INSERT INTO ${sql.table("user")} (id, name, email, ${sql.ref("emailVerified")}, ${sql.ref("createdAt")}, ${sql.ref("updatedAt")})
      VALUES ('u1', 'Ada', 'ada@example.com', ${kind === "sqlite" ? 0 : false}, ${now}, ${now})`.execute(db);
    for (const room of ["room-a", "room-b"]) {
      await db
        .insertInto("rooms")
        .values({
          id: room,
          slug: room,
          name: room,
          name_key: room,
          created_at: 1,
          topic: null,
          archived_at: null,
          created_by: null,
          direct_key: null,
        })
        .execute();
    }
    await test(db, kind);
  } finally {
    await db.destroy();
    await drop();
  }
}

const found = async (store: SearchRepository, token: string, roomIds = ["room-a", "room-b"]) =>
  (await store.candidates({ requirements: [{ token }], roomIds, limit: 5000 })).messages.map((m) => m.body);

describe.each(testDatabases())("search indexing after the commit on $name", (database) => {
  it("finds a message once acknowledged: a search writes what this node has not indexed yet", async () => {
    await withDatabase(database, async (db, kind) => {
      const indexer = new SearchIndexer(db, kind, { ...NEVER_BY_TIMER, warn: () => undefined });
      const messages = new MessageRepository(db, (roomIds) => indexer.written(roomIds));
      const store = new SearchRepository(db, kind, indexer);
      await messages.append({
        roomId: "room-a",
        author: ada,
        clientId: "c1",
        body: "東京で会議",
        createdAt: 1,
      });
      expect(await found(store, "会議")).toEqual(["東京で会議"]);
      const rooms = await db.selectFrom("rooms").select(["id", "search_indexed_seq"]).orderBy("id").execute();
      expect(rooms.map((r) => [r.id, Number(r.search_indexed_seq)])).toEqual([
        ["room-a", 1],
        ["room-b", 0],
      ]);
    });
  });

  it("indexes at the next start what a node stored and died before indexing, past one transaction's worth", async () => {
    await withDatabase(database, async (db, kind) => {
      // A node that stored messages and never indexed them (killed before its batch ran).
      const dead = new MessageRepository(db, () => undefined);
      for (let i = 1; i <= 3; i++) {
        await dead.append({
          roomId: "room-b",
          author: ada,
          clientId: `b${i}`,
          body: `plan ${i}`,
          createdAt: i,
        });
      }
      // More than the 2,000 messages one indexing transaction takes, written as an import does.
      const backlog = 2100;
      await db.updateTable("rooms").set({ last_seq: backlog }).where("id", "=", "room-a").execute();
      const rows = Array.from({ length: backlog }, (_, i) => ({
        room_id: "room-a",
        seq: i + 1,
        author_id: ada.id,
        client_id: `a${i + 1}`,
        body: i + 1 === backlog ? "最後の議事録" : `note ${i + 1}`,
        created_at: i + 1,
      }));
      for (let i = 0; i < rows.length; i += 300) {
        await db
          .insertInto("messages")
          .values(rows.slice(i, i + 300))
          .execute();
      }

      const indexer = new SearchIndexer(db, kind, { ...NEVER_BY_TIMER, warn: () => undefined });
      await indexer.start();
      await indexer.stop();
      const store = new SearchRepository(db, kind);
      expect(await found(store, "note")).toHaveLength(backlog - 1);
      expect(await found(store, "議事")).toEqual(["最後の議事録"]);
      expect((await found(store, "plan")).sort()).toEqual(["plan 1", "plan 2", "plan 3"]);
      const rooms = await db.selectFrom("rooms").select(["id", "search_indexed_seq"]).orderBy("id").execute();
      expect(rooms.map((r) => [r.id, Number(r.search_indexed_seq)])).toEqual([
        ["room-a", backlog],
        ["room-b", 3],
      ]);
    });
  });

  it("an edit or a deletion before the batch leaves only what the message says now", async () => {
    await withDatabase(database, async (db, kind) => {
      const indexer = new SearchIndexer(db, kind, { ...NEVER_BY_TIMER, warn: () => undefined });
      const messages = new MessageRepository(db, (roomIds) => indexer.written(roomIds));
      const changes = new MessageChangeRepository(db);
      const store = new SearchRepository(db, kind, indexer);
      await messages.append({
        roomId: "room-a",
        author: ada,
        clientId: "e1",
        body: "京都への出張",
        createdAt: 1,
      });
      await messages.append({
        roomId: "room-a",
        author: ada,
        clientId: "e2",
        body: "secret launch date",
        createdAt: 2,
      });
      // The edit and the deletion commit, and their hooks run, before the batch indexes the room.
      await changes.edit("room-a", 1, "大阪への出張", 3);
      await store.reindex("room-a", 1);
      await changes.delete("room-a", 2, 4);
      await store.remove("room-a", 2);
      await indexer.flush();
      expect(await found(store, "大阪")).toEqual(["大阪への出張"]);
      expect(await found(store, "京都")).toEqual([]);
      expect(await found(store, "launch")).toEqual([]);
      expect(await found(store, "出張")).toEqual(["大阪への出張"]);
    });
  });
});
