import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * Two tables that make file housekeeping safe under crashes and concurrency (decision 0054):
 *
 * - `upload_deletions`: the uploads whose records were deleted and whose bytes are still to be
 *   removed from the file store. A row is written in the same transaction that deletes the record
 *   (a message's files, a room, an expired pending upload), and removed once the bytes are gone,
 *   so a crash or a store outage in between leaves a row the next sweep finishes. No key: the
 *   same upload queued twice (two deletes racing) only means deleting missing bytes once more.
 * - `upload_quota_locks`: one row per uploader, updated first in the transaction that checks the
 *   quota and stores an upload's record, so two uploads of one person take turns there.
 */
export function uploadDeletionsAndQuotaLocksMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("upload_deletions")
        .addColumn("upload_id", t.exactId, (c) => c.notNull())
        .addColumn("has_thumbnail", t.boolean, (c) => c.notNull())
        .addColumn("queued_at", t.epochMillis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("upload_deletions_queued_idx")
        .on("upload_deletions")
        .columns(["queued_at"])
        .execute();
      await db.schema
        .createIndex("upload_deletions_upload_idx")
        .on("upload_deletions")
        .columns(["upload_id"])
        .execute();
      await db.schema
        .createTable("upload_quota_locks")
        .addColumn("owner_id", t.exactId, (c) => c.primaryKey().references("user.id").onDelete("cascade"))
        // Counts the checks; each one adds 1, so its update always changes the row (and locks it).
        .addColumn("checks", t.epochMillis, (c) => c.notNull())
        .execute();
    },
  };
}
