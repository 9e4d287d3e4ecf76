import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import { roomNameKey } from "../../chat/room-name.js";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * Columns holding ids and other keys that must compare exactly, with their length and nullness
 * as 001 made them. MySQL/MariaDB default collations compare case-insensitively: `MSG-A` would
 * collide with `msg-a` in the unique index, and a room id in other letter case would be found.
 */
const EXACT_COLUMNS: Array<[table: string, column: string, type: "varchar(64)" | "varchar(255)"]> = [
  ["user", "id", "varchar(64)"],
  ["session", "id", "varchar(64)"],
  ["session", "token", "varchar(255)"],
  ["session", "userId", "varchar(64)"],
  ["account", "id", "varchar(64)"],
  ["account", "accountId", "varchar(255)"],
  ["account", "providerId", "varchar(255)"],
  ["account", "userId", "varchar(64)"],
  ["verification", "id", "varchar(64)"],
  ["verification", "identifier", "varchar(255)"],
  ["rooms", "id", "varchar(64)"],
  ["rooms", "slug", "varchar(255)"],
  ["messages", "room_id", "varchar(64)"],
  ["messages", "author_id", "varchar(64)"],
  ["messages", "client_id", "varchar(64)"],
  ["memberships", "user_id", "varchar(64)"],
  ["memberships", "room_id", "varchar(64)"],
];

/**
 * Ids compared exactly on every database (binary collation on MySQL/MariaDB, converting existing
 * tables), and each room's name key (trimmed, NFC, lower-cased) for duplicate-name checks and
 * the name-ordered, paged room list.
 */
export function exactIdsAndRoomNamesMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      if (kind === "mysql") await makeIdsBinary(db);

      await db.schema
        .alterTable("rooms")
        .addColumn("name_key", t.exactKey, (c) => c.notNull().defaultTo(""))
        .execute();
      const rooms = await sql<{ id: string; name: string }>`SELECT id, name FROM rooms`.execute(db);
      for (const room of rooms.rows) {
        await sql`UPDATE rooms SET name_key = ${roomNameKey(room.name)} WHERE id = ${room.id}`.execute(db);
      }
      await db.schema.createIndex("rooms_name_key_idx").on("rooms").columns(["name_key", "id"]).execute();
    },
  };
}

interface ForeignKey {
  name: string;
  table: string;
  column: string;
  referencedTable: string;
  referencedColumn: string;
  onDelete: string;
}

/**
 * MariaDB refuses to change the collation of a column on either side of a foreign key (even with
 * FOREIGN_KEY_CHECKS off), so the keys between these tables are dropped, the columns changed, and
 * the keys made again as they were. (MySQL DDL is not transactional: a failure midway leaves the
 * migration to be run again, which starts over from what is there.)
 */
async function makeIdsBinary(db: Kysely<unknown>): Promise<void> {
  const tables = [...new Set(EXACT_COLUMNS.map(([table]) => table))];
  const { rows: keys } = await sql<ForeignKey>`
    SELECT k.CONSTRAINT_NAME AS name, k.TABLE_NAME AS \`table\`, k.COLUMN_NAME AS \`column\`,
           k.REFERENCED_TABLE_NAME AS referencedTable, k.REFERENCED_COLUMN_NAME AS referencedColumn,
           r.DELETE_RULE AS onDelete
    FROM information_schema.KEY_COLUMN_USAGE k
    JOIN information_schema.REFERENTIAL_CONSTRAINTS r
      ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
     AND r.TABLE_NAME = k.TABLE_NAME
    WHERE k.CONSTRAINT_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
      AND k.TABLE_NAME IN (${sql.join(tables)})`.execute(db);
  for (const key of keys) {
    await sql`ALTER TABLE ${sql.table(key.table)} DROP FOREIGN KEY ${sql.ref(key.name)}`.execute(db);
  }
  for (const [table, column, type] of EXACT_COLUMNS) {
    await sql`ALTER TABLE ${sql.table(table)} MODIFY ${sql.ref(column)} ${sql.raw(type)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL`.execute(
      db,
    );
  }
  const rules = new Set(["CASCADE", "SET NULL", "RESTRICT", "NO ACTION", "SET DEFAULT"]);
  for (const key of keys) {
    const onDelete = rules.has(key.onDelete) ? key.onDelete : "RESTRICT";
    await sql`ALTER TABLE ${sql.table(key.table)} ADD CONSTRAINT ${sql.ref(key.name)} FOREIGN KEY (${sql.ref(key.column)}) REFERENCES ${sql.table(key.referencedTable)} (${sql.ref(key.referencedColumn)}) ON DELETE ${sql.raw(onDelete)}`.execute(
      db,
    );
  }
}
