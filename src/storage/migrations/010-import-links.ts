import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * What an import made of each thing it read (a Slack user → a person, a channel → a room), so
 * importing the same export again finds them instead of making them twice (decision 0046).
 */
export function importLinksMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("import_links")
        // "slack:user", "slack:channel".
        .addColumn("source", t.exactId, (c) => c.notNull())
        .addColumn("external_id", t.exactKey, (c) => c.notNull())
        .addColumn("local_id", t.exactId, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addPrimaryKeyConstraint("import_links_pk", ["source", "external_id"])
        .execute();
    },
  };
}
