import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * Edits, deletions, reactions and replies (issue 15 part A; decision 0033). Each room gets a
 * second gap-free counter, `last_change_seq`; each message row carries the change sequence of its
 * latest change, so "what changed since N" is one keyset read of current rows, and a message
 * changed five times while a client was away reaches it once, in its final state.
 */
export function messageChangesMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("rooms")
        .addColumn("last_change_seq", t.integer, (c) => c.notNull().defaultTo(0))
        .execute();
      // One statement where the database allows it (MySQL rebuilds the table at most once);
      // SQLite's ALTER TABLE adds one column at a time.
      if (kind === "sqlite") {
        await db.schema
          .alterTable("messages")
          .addColumn("change_seq", t.integer, (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable("messages").addColumn("edited_at", t.epochMillis).execute();
        await db.schema.alterTable("messages").addColumn("deleted_at", t.epochMillis).execute();
        await db.schema.alterTable("messages").addColumn("reply_to_seq", t.integer).execute();
      } else {
        await db.schema
          .alterTable("messages")
          .addColumn("change_seq", t.integer, (c) => c.notNull().defaultTo(0))
          .addColumn("edited_at", t.epochMillis)
          .addColumn("deleted_at", t.epochMillis)
          .addColumn("reply_to_seq", t.integer)
          .execute();
      }
      await db.schema
        .createIndex("messages_room_change_idx")
        .on("messages")
        .columns(["room_id", "change_seq"])
        .execute();

      // Reactions hang off a message by (room_id, message_seq); a deleted message loses them in
      // the same transaction, and a deleted room (cascade) or person takes theirs along.
      await db.schema
        .createTable("reactions")
        .addColumn("room_id", t.exactId, (c) => c.notNull().references("rooms.id").onDelete("cascade"))
        .addColumn("message_seq", t.integer, (c) => c.notNull())
        .addColumn("user_id", t.exactId, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("emoji", t.exactId, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addPrimaryKeyConstraint("reactions_pk", ["room_id", "message_seq", "emoji", "user_id"])
        .execute();
    },
  };
}
