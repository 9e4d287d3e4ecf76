import { ROOM_EXPORT_FORMAT, RoomExport } from "@parley/protocol";
import type { Kysely } from "kysely";
import { toMember } from "../chat/member.js";
import type { Database } from "../storage/schema.js";

/** Messages are read in pages, so a room of any size is exported in bounded memory per query. */
const PAGE_SIZE = 5000;

/** One room as the documented `RoomExport` JSON; undefined when no room has that slug. */
export async function exportRoom(
  db: Kysely<Database>,
  slug: string,
  now = Date.now(),
): Promise<RoomExport | undefined> {
  const room = await db.selectFrom("rooms").selectAll().where("slug", "=", slug).executeTakeFirst();
  if (!room) return undefined;
  const messages: RoomExport["messages"] = [];
  for (let after = 0; ; ) {
    const page = await db
      .selectFrom("messages")
      .select(["seq", "author_id", "client_id", "body", "created_at"])
      .where("room_id", "=", room.id)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(PAGE_SIZE)
      .execute();
    for (const row of page) {
      messages.push({
        seq: Number(row.seq),
        authorId: row.author_id,
        clientId: row.client_id,
        body: row.body,
        createdAt: Number(row.created_at),
      });
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) break;
    after = Number(last.seq);
  }
  const memberships = (
    await db
      .selectFrom("memberships")
      .select(["user_id", "last_read_seq", "joined_at"])
      .where("room_id", "=", room.id)
      .orderBy("joined_at")
      .orderBy("user_id")
      .execute()
  ).map((row) => ({
    userId: row.user_id,
    lastReadSeq: Number(row.last_read_seq),
    joinedAt: Number(row.joined_at),
  }));
  const userIds = [...new Set([...messages.map((m) => m.authorId), ...memberships.map((m) => m.userId)])];
  const users: RoomExport["users"] = {};
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db
      .selectFrom("user")
      .select(["id", "name", "image"])
      .where("id", "in", userIds.slice(i, i + 500))
      .execute();
    for (const row of rows) users[row.id] = toMember(row);
  }
  // Parsed on the way out: the file always matches the documented format.
  return RoomExport.parse({
    format: ROOM_EXPORT_FORMAT,
    exportedAt: now,
    room: {
      id: room.id,
      slug: room.slug,
      name: room.name,
      createdAt: Number(room.created_at),
      kind: room.kind,
      createdBy: room.created_by ?? null,
      lastSeq: Number(room.last_seq),
    },
    users,
    messages,
    memberships,
  });
}
