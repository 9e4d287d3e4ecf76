import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import type { Database } from "../schema.js";
import { columnTypes } from "./column-types.js";

/**
 * Search postings are written after the send's commit, in batches (decision 0049): each room
 * records how far its messages are indexed, so whatever a crash left unindexed is found and
 * indexed at the next start. Messages sent before this migration were indexed in their send's
 * transaction; rooms filled by a Slack import were not indexed at all, so they start from 0.
 */
export function searchIndexedSeqMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("rooms")
        .addColumn("search_indexed_seq", t.integer, (c) => c.notNull().defaultTo(0))
        .execute();
      const typed = db as Kysely<Database>;
      await typed
        .updateTable("rooms")
        .set({ search_indexed_seq: sql`last_seq` })
        .where(
          "id",
          "not in",
          typed.selectFrom("import_links").select("local_id").where("source", "=", "slack:channel"),
        )
        .execute();
    },
  };
}
