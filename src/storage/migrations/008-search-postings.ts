import { type Kysely, sql } from "kysely";
import type { Migration } from "kysely/migration";
import type { DatabaseKind } from "../database.js";
import type { Database } from "../schema.js";
import { postingsOf } from "../search-postings.js";
import { columnTypes } from "./column-types.js";

/** Messages read per step while indexing what was stored before this migration. */
const BACKFILL_PAGE = 1000;

/**
 * The search index (decision 0039): one row per distinct token of each message. The primary key
 * (token, created_at, room_id, seq) walks a token's postings newest first and answers "does this
 * message have this token" in one look-up; (room_id, seq) finds a message's rows on edit and
 * delete (it grows at the end, so it costs a send little). Messages stored before this
 * migration are indexed here.
 */
export function searchPostingsMigration(kind: DatabaseKind): Migration {
  const t = columnTypes(kind);
  // Tokens compare by code point on all three (binary on MySQL, "C" on PostgreSQL), so the prefix
  // range of a one-character CJK query means the same everywhere.
  const token =
    kind === "mysql"
      ? sql`varchar(64) character set utf8mb4 collate utf8mb4_bin`
      : kind === "postgres"
        ? sql`text collate "C"`
        : sql`text`;
  return {
    async up(db: Kysely<unknown>) {
      // The primary key serves every search: a token's postings newest first, in any rooms.
      // SQLite keeps the rows in that key's order (WITHOUT ROWID), as InnoDB does: one tree
      // written at random places per token, not two.
      await db.schema
        .createTable("search_postings")
        .addColumn("token", token, (c) => c.notNull())
        .addColumn("created_at", t.epochMillis, (c) => c.notNull())
        .addColumn("room_id", t.exactId, (c) => c.notNull())
        .addColumn("seq", t.integer, (c) => c.notNull())
        .addPrimaryKeyConstraint("search_postings_pk", ["token", "created_at", "room_id", "seq"])
        .$call((table) => (kind === "sqlite" ? table.modifyEnd(sql`without rowid`) : table))
        .execute();
      await db.schema
        .createIndex("search_postings_message_idx")
        .on("search_postings")
        .columns(["room_id", "seq"])
        .execute();
      await backfill(db as Kysely<Database>);
    },
  };
}

async function backfill(db: Kysely<Database>): Promise<void> {
  let after: { room_id: string; seq: number } | undefined;
  for (;;) {
    const position = after;
    const page = await db
      .selectFrom("messages")
      .select(["room_id", "seq", "body", "created_at"])
      .$if(position !== undefined, (q) =>
        q.where((eb) =>
          eb.or([
            eb("room_id", ">", position?.room_id ?? ""),
            eb.and([eb("room_id", "=", position?.room_id ?? ""), eb("seq", ">", position?.seq ?? 0)]),
          ]),
        ),
      )
      .orderBy("room_id")
      .orderBy("seq")
      .limit(BACKFILL_PAGE)
      .execute();
    const rows = page.flatMap((message) =>
      postingsOf({ ...message, seq: Number(message.seq), created_at: Number(message.created_at) }),
    );
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto("search_postings")
        .values(rows.slice(i, i + 500))
        .execute();
    }
    const last = page.at(-1);
    if (page.length < BACKFILL_PAGE || !last) return;
    after = { room_id: last.room_id, seq: Number(last.seq) };
  }
}
