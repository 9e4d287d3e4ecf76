import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * Room kinds (open, private, direct), who created a room, and the key that finds a direct
 * conversation again from its set of people. Rooms made before this are open, as they were.
 * Memberships get an index by room, for member lists and the access cache.
 */
export function roomKindsAndMembersMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("rooms")
        .addColumn("kind", t.exactKeyShort, (c) => c.notNull().defaultTo("open"))
        .execute();
      await db.schema.alterTable("rooms").addColumn("created_by", t.exactId).execute();
      // A digest of the sorted member ids; unique, so two people opening the same conversation
      // at once get one room. NULL (every other room) is never equal to NULL on all three.
      await db.schema.alterTable("rooms").addColumn("direct_key", t.exactId).execute();
      await db.schema.createIndex("rooms_direct_key_uq").on("rooms").column("direct_key").unique().execute();
      await db.schema
        .createIndex("rooms_kind_name_key_idx")
        .on("rooms")
        .columns(["kind", "name_key", "id"])
        .execute();
      await db.schema
        .createIndex("memberships_room_idx")
        .on("memberships")
        .columns(["room_id", "user_id"])
        .execute();
    },
  };
}
