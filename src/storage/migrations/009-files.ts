import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * Uploaded files (issue 16). A row is pending (room_id and message_seq null, only its owner may
 * see or attach it) until a message binds it; then it belongs to that message and is readable by
 * whoever may read the room. The bytes live in the file store under the id (and `<id>.thumb`).
 */
export function filesMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("uploads")
        .addColumn("id", t.exactId, (c) => c.primaryKey())
        .addColumn("owner_id", t.exactId, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("name", t.shortText, (c) => c.notNull())
        .addColumn("size", t.epochMillis, (c) => c.notNull())
        .addColumn("type", t.shortText, (c) => c.notNull())
        .addColumn("width", t.integer)
        .addColumn("height", t.integer)
        .addColumn("has_thumbnail", t.boolean, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addColumn("room_id", t.exactId, (c) => c.references("rooms.id").onDelete("cascade"))
        .addColumn("message_seq", t.integer)
        /** Order among the message's files. */
        .addColumn("position", t.integer)
        .execute();
      // A message's files; the quota's sum per owner; the sweep of old pending uploads.
      await db.schema
        .createIndex("uploads_message_idx")
        .on("uploads")
        .columns(["room_id", "message_seq"])
        .execute();
      await db.schema.createIndex("uploads_owner_idx").on("uploads").columns(["owner_id"]).execute();
      await db.schema.createIndex("uploads_created_idx").on("uploads").columns(["created_at"]).execute();
    },
  };
}
