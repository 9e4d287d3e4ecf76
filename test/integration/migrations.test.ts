import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { MessageChangeRepository } from "../../src/storage/message-change-repository.js";
import { MessageRepository } from "../../src/storage/message-repository.js";
import { migrateTo, migrateToLatest } from "../../src/storage/migrate.js";
import type { Database } from "../../src/storage/schema.js";
import { isUniqueViolation } from "../../src/storage/unique-violation.js";
import { mariadbWithServerDefaultCollation, type TestDatabase, testDatabases } from "../support/databases.js";

const databases: TestDatabase[] = [
  ...testDatabases(),
  ...[mariadbWithServerDefaultCollation()].filter((d): d is TestDatabase => d !== undefined),
];

/** An install that ran migrations up to 002 (before ids were exact and rooms had name keys), then upgrades. */
describe.each(databases)("upgrading an existing install on $name", (database) => {
  it("makes ids exact and gives existing rooms their name keys, keeping rows and foreign keys", async () => {
    const { url, drop } = await database.create();
    const { db, kind } = openDatabase(url);
    try {
      await migrateTo(db as Kysely<unknown>, kind, "002-memberships");
      const now = kind === "sqlite" ? "2026-01-01 00:00:00" : new Date("2026-01-01T00:00:00Z");
      await sql`INSERT INTO ${sql.table("user")} (id, name, email, ${sql.ref("emailVerified")}, ${sql.ref("createdAt")}, ${sql.ref("updatedAt")})
        VALUES ('u1', 'Ada', 'ada@example.com', ${kind === "sqlite" ? 0 : false}, ${now}, ${now})`.execute(
        db,
      );
      await sql`INSERT INTO rooms (id, slug, name, created_at, last_seq) VALUES ('room-a', 'design', '  Design Review', 1, 1)`.execute(
        db,
      );
      await sql`INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
        VALUES ('room-a', 1, 'u1', 'msg-a', 'hello', 1)`.execute(db);
      const upperCaseCopy = sql`INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
        VALUES ('room-a', 2, 'u1', 'MSG-A', 'again', 2)`;
      if (database.name === "mariadb-default-collation") {
        // The old state this migration repairs: the unique index thinks MSG-A is msg-a.
        const refused = await upperCaseCopy.execute(db).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(isUniqueViolation(refused)).toBe(true);
      }

      await migrateToLatest(db as Kysely<unknown>, kind);

      await upperCaseCopy.execute(db);
      const clientIds = await sql<{ client_id: string }>`SELECT client_id FROM messages ORDER BY seq`.execute(
        db,
      );
      expect(clientIds.rows.map((row) => row.client_id)).toEqual(["msg-a", "MSG-A"]);
      const shouted = await db.selectFrom("rooms").select("id").where("id", "=", "ROOM-A").execute();
      expect(shouted).toEqual([]);
      const rooms = await db.selectFrom("rooms").select(["id", "name_key"]).execute();
      expect(rooms).toEqual([{ id: "room-a", name_key: "design review" }]);
      // rooms-access (004): rooms made before kinds existed are open, by no one, with no direct key.
      const kinds = await db.selectFrom("rooms").select(["kind", "created_by", "direct_key"]).execute();
      expect(kinds).toEqual([{ kind: "open", created_by: null, direct_key: null }]);
      // The foreign keys are still there: deleting the room takes its messages along.
      await db.deleteFrom("rooms").where("id", "=", "room-a").execute();
      const left = await sql<{ n: number | string }>`SELECT count(*) AS n FROM messages`.execute(db);
      expect(Number(left.rows[0]?.n)).toBe(0);
    } finally {
      await db.destroy();
      await drop();
    }
  });

  // edits (issue 15 part A)
  it("upgrades stored messages to the change log: unchanged, editable, reactable (006)", async () => {
    const { url, drop } = await database.create();
    const { db, kind } = openDatabase(url);
    try {
      await migrateTo(db as Kysely<unknown>, kind, "003-exact-ids-and-room-names");
      const now = kind === "sqlite" ? "2026-01-01 00:00:00" : new Date("2026-01-01T00:00:00Z");
      await sql`INSERT INTO ${sql.table("user")} (id, name, email, ${sql.ref("emailVerified")}, ${sql.ref("createdAt")}, ${sql.ref("updatedAt")})
        VALUES ('u1', 'Ada', 'ada@example.com', ${kind === "sqlite" ? 0 : false}, ${now}, ${now})`.execute(
        db,
      );
      await sql`INSERT INTO rooms (id, slug, name, name_key, created_at, last_seq) VALUES ('room-a', 'a', 'A', 'a', 1, 1)`.execute(
        db,
      );
      await sql`INSERT INTO messages (room_id, seq, author_id, client_id, body, created_at)
        VALUES ('room-a', 1, 'u1', 'msg-a', 'hello', 1)`.execute(db);

      await migrateToLatest(db as Kysely<unknown>, kind);

      const typed = db as unknown as Kysely<Database>;
      const [before] = await new MessageRepository(typed).latest("room-a", 10);
      expect(before).toEqual({
        roomId: "room-a",
        seq: 1,
        clientId: "msg-a",
        author: expect.objectContaining({ id: "u1", name: "Ada" }),
        body: "hello",
        createdAt: 1,
      });
      const changes = new MessageChangeRepository(typed);
      expect((await changes.edit("room-a", 1, "hello again", 2))?.changeSeq).toBe(1);
      const reacted = await changes.react({
        roomId: "room-a",
        seq: 1,
        userId: "u1",
        emoji: "👋",
        add: true,
        at: 3,
        maxEmoji: 20,
      });
      expect(typeof reacted === "object" && reacted.message.reactions).toEqual([
        { emoji: "👋", users: [{ id: "u1", name: "Ada" }] },
      ]);
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
