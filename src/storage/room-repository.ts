import type { Room } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { RoomListFilter } from "../chat/administration-ports.js";
import type { RoomListPosition, RoomStore } from "../chat/ports.js";
import type { Database, RoomTable } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

function toRoom(row: Pick<RoomTable, "id" | "slug" | "name" | "created_at" | "topic" | "archived_at">): Room {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    createdAt: Number(row.created_at),
    // Room settings (admin slice): only when set, so a plain room looks as it always did.
    ...(row.topic ? { topic: row.topic } : {}),
    ...(row.archived_at !== null && row.archived_at !== undefined ? { archived: true } : {}),
  };
}

export class RoomRepository implements RoomStore {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db.selectFrom("rooms").select(["id", "slug", "name", "created_at", "topic", "archived_at"]);
  }

  async page(
    after: RoomListPosition | undefined,
    limit: number,
    filter: RoomListFilter = "all",
  ): Promise<Array<Room & { nameKey: string }>> {
    let query = this.select().select("name_key");
    if (filter === "active") query = query.where("archived_at", "is", null);
    if (filter === "archived") query = query.where("archived_at", "is not", null);
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb("name_key", ">", after.nameKey),
          eb.and([eb("name_key", "=", after.nameKey), eb("id", ">", after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy("name_key").orderBy("id").limit(limit).execute();
    return rows.map((row) => ({ ...toRoom(row), nameKey: row.name_key }));
  }

  async byId(id: string): Promise<Room | undefined> {
    const row = await this.select().where("id", "=", id).executeTakeFirst();
    return row && toRoom(row);
  }

  async bySlug(slug: string): Promise<Room | undefined> {
    const row = await this.select().where("slug", "=", slug).executeTakeFirst();
    return row && toRoom(row);
  }

  async byNameKey(nameKey: string): Promise<Room | undefined> {
    const row = await this.select()
      .where("name_key", "=", nameKey)
      .orderBy("created_at")
      .limit(1)
      .executeTakeFirst();
    return row && toRoom(row);
  }

  async tryCreate(room: Room, nameKey: string): Promise<boolean> {
    try {
      await this.db
        .insertInto("rooms")
        .values({
          id: room.id,
          slug: room.slug,
          name: room.name,
          name_key: nameKey,
          created_at: room.createdAt,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
