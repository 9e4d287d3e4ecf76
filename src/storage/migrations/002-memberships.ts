import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/** Room memberships, carrying each member's read position (exact unread counts). */
export function membershipsMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("memberships")
        .addColumn("user_id", t.id, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("room_id", t.id, (c) => c.notNull().references("rooms.id").onDelete("cascade"))
        .addColumn("last_read_seq", t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn("joined_at", t.epochMillis, (c) => c.notNull())
        .addPrimaryKeyConstraint("memberships_pk", ["user_id", "room_id"])
        .execute();
    },
  };
}
