import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * Administration: administrators, deactivated people, each person's reported time zone, workspace
 * settings (who may create rooms), room topics and archiving, and the audit trail of every admin
 * action (who, what, target, when; never secrets or message bodies).
 */
export function administrationMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("administrators")
        .addColumn("user_id", t.exactId, (c) => c.primaryKey().references("user.id").onDelete("cascade"))
        .addColumn("granted_at", t.epochMillis, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("deactivated_people")
        .addColumn("user_id", t.exactId, (c) => c.primaryKey().references("user.id").onDelete("cascade"))
        .addColumn("deactivated_at", t.epochMillis, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("person_time_zones")
        .addColumn("user_id", t.exactId, (c) => c.primaryKey().references("user.id").onDelete("cascade"))
        .addColumn("time_zone", t.shortText, (c) => c.notNull())
        .addColumn("reported_at", t.epochMillis, (c) => c.notNull())
        .execute();

      // One row per setting; also holds "first_administrator", whose primary key makes exactly one
      // person the first administrator however many sign in at the same instant.
      await db.schema
        .createTable("workspace_settings")
        .addColumn("name", t.exactId, (c) => c.primaryKey())
        .addColumn("value", t.shortText, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("audit")
        .addColumn("id", kind === "postgres" ? "bigserial" : "integer", (c) =>
          kind === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn("at", t.epochMillis, (c) => c.notNull())
        // "person" (signed in on the web) or "cli" (the admin command line).
        .addColumn("actor_kind", t.shortText, (c) => c.notNull())
        .addColumn("actor_id", t.exactId)
        .addColumn("actor_name", t.shortText, (c) => c.notNull())
        .addColumn("action", t.shortText, (c) => c.notNull())
        .addColumn("target_kind", t.shortText)
        .addColumn("target_id", t.exactId)
        // Small JSON of what changed (e.g. the new name), never a secret or a message body.
        .addColumn("detail", t.text)
        .execute();
      await db.schema.createIndex("audit_at_idx").on("audit").column("at").execute();
      await db.schema.createIndex("audit_target_idx").on("audit").columns(["target_id", "at"]).execute();

      await db.schema.alterTable("rooms").addColumn("topic", t.text).execute();
      await db.schema.alterTable("rooms").addColumn("archived_at", t.epochMillis).execute();

      // An install that already has people: the first of them to sign up was the first to sign in.
      const first = await sql<{
        id: string;
      }>`SELECT id FROM ${sql.table("user")} ORDER BY ${sql.ref("createdAt")}, id LIMIT 1`.execute(db);
      const firstId = first.rows[0]?.id;
      if (firstId !== undefined) {
        const at = Date.now();
        await sql`INSERT INTO workspace_settings (name, value) VALUES ('first_administrator', ${firstId})`.execute(
          db,
        );
        await sql`INSERT INTO administrators (user_id, granted_at) VALUES (${firstId}, ${at})`.execute(db);
      }
    },
  };
}
