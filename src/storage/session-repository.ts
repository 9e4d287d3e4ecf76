import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

const CHUNK = 500;

/** Reads better-auth's session table, which always holds every session (decision 0003). */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Deletes every session of a person; returns their ids (admin slice: deactivation, revoke-sessions). */
  async endAllOf(userId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("session").select("id").where("userId", "=", userId).execute();
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    await this.db.deleteFrom("session").where("id", "in", ids).execute();
    return ids;
  }

  /** The ids among `sessionIds` that still exist and have not expired. */
  async live(sessionIds: string[], now = Date.now()): Promise<Set<string>> {
    const alive = new Set<string>();
    for (let i = 0; i < sessionIds.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom("session")
        .select(["id", "expiresAt"])
        .where("id", "in", sessionIds.slice(i, i + CHUNK))
        .execute();
      for (const row of rows) if (new Date(row.expiresAt).getTime() > now) alive.add(row.id);
    }
    return alive;
  }
}
