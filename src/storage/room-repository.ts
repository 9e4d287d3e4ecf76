import { type Room, RoomKind } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { RoomListFilter } from "../chat/administration-ports.js";
import type { RoomListPosition, RoomStore } from "../chat/ports.js";
import type { Database, RoomTable } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

type RoomRow = Pick<
  RoomTable,
  "id" | "slug" | "name" | "created_at" | "created_by" | "topic" | "archived_at"
> & { kind: string };

/** A room as read from its row; an unknown kind (written by a newer version) reads as private, the safe side. */
export function toRoom(row: RoomRow): Room {
  const kind = RoomKind.safeParse(row.kind);
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    createdAt: Number(row.created_at),
    kind: kind.success ? kind.data : "private",
    createdBy: row.created_by ?? null,
    // Room settings (admin slice): only when set, so a plain room looks as it always did.
    ...(row.topic ? { topic: row.topic } : {}),
    ...(row.archived_at !== null && row.archived_at !== undefined ? { archived: true } : {}),
  };
}

export const ROOM_COLUMNS = [
  "id",
  "slug",
  "name",
  "created_at",
  "kind",
  "created_by",
  "topic",
  "archived_at",
] as const;

export class RoomRepository implements RoomStore {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db.selectFrom("rooms").select(ROOM_COLUMNS);
  }

  async page(
    after: RoomListPosition | undefined,
    limit: number,
    filter: RoomListFilter = "all",
  ): Promise<Array<Room & { nameKey: string }>> {
    let query = this.select().select("name_key").where("kind", "=", "open");
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
      .where("kind", "=", "open")
      .orderBy("created_at")
      .limit(1)
      .executeTakeFirst();
    return row && toRoom(row);
  }

  async byDirectKey(directKey: string): Promise<Room | undefined> {
    const row = await this.select().where("direct_key", "=", directKey).executeTakeFirst();
    return row && toRoom(row);
  }

  async tryCreate(room: Room, nameKey: string, directKey?: string): Promise<boolean> {
    try {
      await this.db
        .insertInto("rooms")
        .values({
          id: room.id,
          slug: room.slug,
          name: room.name,
          name_key: nameKey,
          created_at: room.createdAt,
          kind: room.kind,
          created_by: room.createdBy,
          direct_key: directKey ?? null,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
