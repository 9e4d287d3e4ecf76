import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { migrateTo, migrateToLatest } from "../../src/storage/migrate.js";
import { SearchRepository } from "../../src/storage/search-repository.js";
import { testDatabases } from "../support/databases.js";

/** An install from before search (migrations up to 003) with messages in it, then upgraded. */
describe.each(testDatabases())("search index of an upgraded install on $name", (database) => {
  it("indexes the messages stored before migration 008, all of them", async () => {
    const { url, drop } = await database.create();
    const { db, kind } = openDatabase(url);
    try {
      await migrateTo(db as Kysely<unknown>, kind, "003-exact-ids-and-room-names");
      const now = kind === "sqlite" ? "2026-01-01 00:00:00" : new Date("2026-01-01T00:00:00Z");
      await sql`INSERT INTO ${sql.table("user")} (id, name, email, ${sql.ref("emailVerified")}, ${sql.ref("createdAt")}, ${sql.ref("updatedAt")})
        VALUES ('u1', 'Ada', 'ada@example.com', ${kind === "sqlite" ? 0 : false}, ${now}, ${now})`.execute(
        db,
      );
      for (const room of ["room-a", "room-b"]) {
        await sql`INSERT INTO rooms (id, slug, name, name_key, created_at, last_seq) VALUES (${room}, ${room}, ${room}, ${room}, 1, 0)`.execute(
          db,
        );
      }
      // More than one backfill page (1,000 messages), across two rooms.
      const total = 1203;
      for (let i = 1; i <= total; i++) {
        const room = i % 2 === 0 ? "room-a" : "room-b";
        const body = i === 1203 ? "最後の会議メモ" : `note ${i}`;
        await sql`INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
          VALUES (${room}, ${i}, 'u1', ${`c${i}`}, ${body}, ${i})`.execute(db);
      }

      await migrateToLatest(db as Kysely<unknown>, kind);

      const store = new SearchRepository(db, kind);
      const { messages: notes } = await store.candidates({
        requirements: [{ token: "note" }],
        roomIds: ["room-a", "room-b"],
        limit: 5000,
      });
      expect(notes).toHaveLength(total - 1);
      expect(notes[0]?.seq).toBe(1202);
      const { messages: meeting } = await store.candidates({
        requirements: [{ token: "会議" }],
        roomIds: ["room-b"],
        limit: 10,
      });
      expect(meeting.map((m) => m.body)).toEqual(["最後の会議メモ"]);
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
