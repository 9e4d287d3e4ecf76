import { NotificationLevel } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { NotificationLevelStore } from "../chat/ports.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

/** Levels people chose per room; a row that no longer parses (a level since removed) counts as unset. */
export class NotificationLevelRepository implements NotificationLevelStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(userId: string, roomId: string): Promise<NotificationLevel | undefined> {
    const row = await this.db
      .selectFrom("notification_levels")
      .select("level")
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .executeTakeFirst();
    return row ? parseLevel(row.level) : undefined;
  }

  async set(userId: string, roomId: string, level: NotificationLevel): Promise<void> {
    const updated = await this.db
      .updateTable("notification_levels")
      .set({ level })
      .where("user_id", "=", userId)
      .where("room_id", "=", roomId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return;
    try {
      await this.db
        .insertInto("notification_levels")
        .values({ user_id: userId, room_id: roomId, level })
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another tab chose at the same moment: the later write wins.
      await this.db
        .updateTable("notification_levels")
        .set({ level })
        .where("user_id", "=", userId)
        .where("room_id", "=", roomId)
        .execute();
    }
  }

  async inRoom(roomId: string): Promise<Map<string, NotificationLevel>> {
    const rows = await this.db
      .selectFrom("notification_levels")
      .select(["user_id", "level"])
      .where("room_id", "=", roomId)
      .execute();
    const levels = new Map<string, NotificationLevel>();
    for (const row of rows) {
      const level = parseLevel(row.level);
      if (level) levels.set(row.user_id, level);
    }
    return levels;
  }
}

function parseLevel(value: string): NotificationLevel | undefined {
  const parsed = NotificationLevel.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
