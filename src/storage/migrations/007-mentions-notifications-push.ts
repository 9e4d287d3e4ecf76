import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/**
 * The notify slice (decisions 0036 and 0037): who each message mentions (resolved at send time,
 * so badges survive reloads), each person's notification level per room (only where they chose one;
 * otherwise the room kind's default holds), and Web Push subscriptions, one per device.
 */
export function mentionsNotificationsPushMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("mentions")
        .addColumn("user_id", t.exactId, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("room_id", t.exactId, (c) => c.notNull().references("rooms.id").onDelete("cascade"))
        .addColumn("seq", t.integer, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addPrimaryKeyConstraint("mentions_pk", ["user_id", "room_id", "seq"])
        .execute();
      await db.schema
        .createIndex("mentions_user_time_idx")
        .on("mentions")
        .columns(["user_id", "created_at"])
        .execute();

      await db.schema
        .createTable("notification_levels")
        .addColumn("user_id", t.exactId, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("room_id", t.exactId, (c) => c.notNull().references("rooms.id").onDelete("cascade"))
        .addColumn("level", t.shortText, (c) => c.notNull())
        .addPrimaryKeyConstraint("notification_levels_pk", ["user_id", "room_id"])
        .execute();
      await db.schema
        .createIndex("notification_levels_room_idx")
        .on("notification_levels")
        .column("room_id")
        .execute();

      await db.schema
        .createTable("push_subscriptions")
        // SHA-256 of the endpoint in hex: endpoints are long URLs, too long for a MySQL key.
        .addColumn("id", t.exactId, (c) => c.primaryKey())
        .addColumn("user_id", t.exactId, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("endpoint", t.text, (c) => c.notNull())
        .addColumn("p256dh", t.shortText, (c) => c.notNull())
        .addColumn("auth", t.shortText, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("push_subscriptions_user_idx")
        .on("push_subscriptions")
        .column("user_id")
        .execute();
    },
  };
}
