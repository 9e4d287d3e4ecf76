import { type Kysely, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/storage/database.js";
import { migrateTo, migrateToLatest } from "../../src/storage/migrate.js";
import { PeopleRepository } from "../../src/storage/people-repository.js";
import { RoomRepository } from "../../src/storage/room-repository.js";
import { mariadbWithServerDefaultCollation, type TestDatabase, testDatabases } from "../support/databases.js";

const databases: TestDatabase[] = [
  ...testDatabases(),
  ...[mariadbWithServerDefaultCollation()].filter((d): d is TestDatabase => d !== undefined),
];

/** An install from before administration (migrations up to 003) upgrades to 005. */
describe.each(databases)("adding administration to an existing install on $name", (database) => {
  it("makes the earliest person the first administrator and keeps every room as it was", async () => {
    const { url, drop } = await database.create();
    const { db, kind } = openDatabase(url);
    try {
      await migrateTo(db as Kysely<unknown>, kind, "003-exact-ids-and-room-names");
      const at = (iso: string) =>
        kind === "sqlite" ? iso.replace("T", " ").replace("Z", "") : new Date(iso);
      for (const [id, created] of [
        ["u-later", "2026-03-01T00:00:00Z"],
        ["u-first", "2026-01-01T00:00:00Z"],
      ] as const) {
        await sql`INSERT INTO ${sql.table("user")} (id, name, email, ${sql.ref("emailVerified")}, ${sql.ref("createdAt")}, ${sql.ref("updatedAt")})
          VALUES (${id}, ${id}, ${`${id}@example.com`}, ${kind === "sqlite" ? 1 : true}, ${at(created)}, ${at(created)})`.execute(
          db,
        );
      }
      await sql`INSERT INTO rooms (id, slug, name, name_key, created_at, last_seq) VALUES ('r1', 'design', 'Design', 'design', 1, 0)`.execute(
        db,
      );

      await migrateToLatest(db as Kysely<unknown>, kind);

      const people = new PeopleRepository(db);
      expect((await people.byId("u-first"))?.administratorGrant).toBe(true);
      expect((await people.byId("u-later"))?.administratorGrant).toBe(false);
      // Nobody else can claim to be first any more.
      expect(await people.claimFirstAdministrator("u-later", 1)).toBe(false);
      const room = await new RoomRepository(db).byId("r1");
      expect(room).toEqual({
        id: "r1",
        slug: "design",
        name: "Design",
        createdAt: 1,
        kind: "open",
        createdBy: null,
      });
    } finally {
      await db.destroy();
      await drop();
    }
  });
});
