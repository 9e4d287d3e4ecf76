import { RoomCreationPolicy } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { WorkspaceSettingsStore } from "../chat/administration-ports.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

const ROOM_CREATION = "room_creation";

/** Workspace settings, one row per setting; an absent row is the default. */
export class WorkspaceSettingsRepository implements WorkspaceSettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async roomCreation(): Promise<RoomCreationPolicy> {
    const row = await this.db
      .selectFrom("workspace_settings")
      .select("value")
      .where("name", "=", ROOM_CREATION)
      .executeTakeFirst();
    const parsed = RoomCreationPolicy.safeParse(row?.value);
    return parsed.success ? parsed.data : "everyone";
  }

  async setRoomCreation(policy: RoomCreationPolicy): Promise<void> {
    await upsertSetting(this.db, ROOM_CREATION, policy);
  }
}

/** Insert, or update when the row exists (the same on all three databases). */
export async function upsertSetting(db: Kysely<Database>, name: string, value: string): Promise<void> {
  const updated = await db
    .updateTable("workspace_settings")
    .set({ value })
    .where("name", "=", name)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  try {
    await db.insertInto("workspace_settings").values({ name, value }).execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await db.updateTable("workspace_settings").set({ value }).where("name", "=", name).execute();
  }
}
