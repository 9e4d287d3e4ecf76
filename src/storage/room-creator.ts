import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Who created the room (the rooms' `created_by`); undefined for the default room and for rooms the CLI made. */
export async function roomCreator(db: Kysely<Database>, roomId: string): Promise<string | undefined> {
  const row = await db.selectFrom("rooms").select("created_by").where("id", "=", roomId).executeTakeFirst();
  return row?.created_by ?? undefined;
}
