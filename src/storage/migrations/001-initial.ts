import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import { columnTypes } from "./column-types.js";

/** better-auth's tables (with the anonymous plugin's column), rooms and messages. */
export function initialMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("user")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("name", t.shortText, (c) => c.notNull())
        .addColumn("email", t.shortText, (c) => c.notNull().unique())
        .addColumn("emailVerified", t.boolean, (c) => c.notNull())
        .addColumn("image", t.text)
        .addColumn("isAnonymous", t.boolean)
        .addColumn("createdAt", t.date, (c) => c.notNull())
        .addColumn("updatedAt", t.date, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("session")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("expiresAt", t.date, (c) => c.notNull())
        .addColumn("token", t.shortText, (c) => c.notNull().unique())
        .addColumn("createdAt", t.date, (c) => c.notNull())
        .addColumn("updatedAt", t.date, (c) => c.notNull())
        .addColumn("ipAddress", t.text)
        .addColumn("userAgent", t.text)
        .addColumn("userId", t.id, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .execute();
      await db.schema.createIndex("session_user_idx").on("session").column("userId").execute();

      await db.schema
        .createTable("account")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("accountId", t.shortText, (c) => c.notNull())
        .addColumn("providerId", t.shortText, (c) => c.notNull())
        .addColumn("userId", t.id, (c) => c.notNull().references("user.id").onDelete("cascade"))
        .addColumn("accessToken", t.text)
        .addColumn("refreshToken", t.text)
        .addColumn("idToken", t.text)
        .addColumn("accessTokenExpiresAt", t.date)
        .addColumn("refreshTokenExpiresAt", t.date)
        .addColumn("scope", t.text)
        .addColumn("password", t.text)
        .addColumn("createdAt", t.date, (c) => c.notNull())
        .addColumn("updatedAt", t.date, (c) => c.notNull())
        .execute();
      // One internal user per (provider, provider account id): better-auth does not enforce it itself.
      await db.schema
        .createIndex("account_provider_account_uq")
        .on("account")
        .columns(["providerId", "accountId"])
        .unique()
        .execute();
      await db.schema.createIndex("account_user_idx").on("account").column("userId").execute();

      await db.schema
        .createTable("verification")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("identifier", t.shortText, (c) => c.notNull())
        .addColumn("value", t.text, (c) => c.notNull())
        .addColumn("expiresAt", t.date, (c) => c.notNull())
        .addColumn("createdAt", t.date, (c) => c.notNull())
        .addColumn("updatedAt", t.date, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("verification_identifier_idx")
        .on("verification")
        .column("identifier")
        .execute();

      await db.schema
        .createTable("rooms")
        .addColumn("id", t.id, (c) => c.primaryKey())
        .addColumn("slug", t.shortText, (c) => c.notNull().unique())
        .addColumn("name", t.shortText, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addColumn("last_seq", t.integer, (c) => c.notNull().defaultTo(0))
        .execute();

      // The primary key (room_id, seq) is the keyset index of history pages and resume.
      await db.schema
        .createTable("messages")
        .addColumn("room_id", t.id, (c) => c.notNull().references("rooms.id").onDelete("cascade"))
        .addColumn("seq", t.integer, (c) => c.notNull())
        .addColumn("author_id", t.id, (c) => c.notNull().references("user.id"))
        .addColumn("client_id", t.id, (c) => c.notNull())
        .addColumn("body", t.longText, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addPrimaryKeyConstraint("messages_pk", ["room_id", "seq"])
        .addUniqueConstraint("messages_author_client_uq", ["author_id", "client_id"])
        .execute();
    },
  };
}
