import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/**
 * Who created a room: the one small function the "creator may rename and archive" rule reads.
 * The rooms-access slice adds `rooms.created_by`; at the merge this becomes a read of that
 * column. Until then the audit trail's `room.create` row names the creator (rooms created before
 * the trail existed have none, and only administrators manage them).
 */
export async function roomCreator(db: Kysely<Database>, roomId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("audit")
    .select("actor_id")
    .where("action", "=", "room.create")
    .where("target_id", "=", roomId)
    .where("actor_kind", "=", "person")
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  return row?.actor_id ?? undefined;
}
