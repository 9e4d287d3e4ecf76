import type { Room } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { RoomStore } from "../chat/ports.js";
import type { Database, RoomTable } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

function toRoom(row: Pick<RoomTable, "id" | "slug" | "name" | "created_at">): Room {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: Number(row.created_at) };
}

export class RoomRepository implements RoomStore {
  constructor(private readonly db: Kysely<Database>) {}

  private select() {
    return this.db.selectFrom("rooms").select(["id", "slug", "name", "created_at"]);
  }

  async list(): Promise<Room[]> {
    const rows = await this.select().orderBy("created_at").orderBy("slug").execute();
    return rows.map(toRoom);
  }

  async byId(id: string): Promise<Room | undefined> {
    const row = await this.select().where("id", "=", id).executeTakeFirst();
    return row && toRoom(row);
  }

  async bySlug(slug: string): Promise<Room | undefined> {
    const row = await this.select().where("slug", "=", slug).executeTakeFirst();
    return row && toRoom(row);
  }

  async tryCreate(room: Room): Promise<boolean> {
    try {
      await this.db
        .insertInto("rooms")
        .values({ id: room.id, slug: room.slug, name: room.name, created_at: room.createdAt })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
