import type { Kysely } from "kysely";
import type { StatsSource, WorkspaceCounts } from "../chat/administration-ports.js";
import type { Database } from "./schema.js";

/** Counts for `parley stats`: whole-table counts, fine for an occasional command. */
export class StatsRepository implements StatsSource {
  constructor(private readonly db: Kysely<Database>) {}

  async counts(): Promise<WorkspaceCounts> {
    const count = async (table: keyof Database, where?: "archived"): Promise<number> => {
      let query = this.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as("n"));
      if (where === "archived") query = query.where("archived_at" as never, "is not", null);
      const row = await query.executeTakeFirst();
      return Number(row?.n ?? 0);
    };
    return {
      people: await count("user"),
      deactivated: await count("deactivated_people"),
      administrators: await count("administrators"),
      rooms: await count("rooms"),
      archivedRooms: await count("rooms", "archived"),
      messages: await count("messages"),
      sessions: await count("session"),
    };
  }
}
