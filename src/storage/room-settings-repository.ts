import type { Room } from "@parley/protocol";
import { type Kysely, sql } from "kysely";
import type { RoomSettingsStore } from "../chat/administration-ports.js";
import type { RoomStore } from "../chat/ports.js";
import { roomCreator } from "./room-creator.js";
import type { Database } from "./schema.js";
import { deleteRoomUploads } from "./upload-deletion-queue.js";

/** Room names, topics, archiving and deletion in SQL. */
export class RoomSettingsRepository implements RoomSettingsStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly rooms: RoomStore,
  ) {}

  async rename(roomId: string, name: string, nameKey: string): Promise<Room | undefined> {
    await this.db.updateTable("rooms").set({ name, name_key: nameKey }).where("id", "=", roomId).execute();
    return this.rooms.byId(roomId);
  }

  async setTopic(roomId: string, topic: string): Promise<Room | undefined> {
    await this.db
      .updateTable("rooms")
      .set({ topic: topic === "" ? null : topic })
      .where("id", "=", roomId)
      .execute();
    return this.rooms.byId(roomId);
  }

  async setArchived(roomId: string, archivedAt: number | null): Promise<Room | undefined> {
    await this.db.updateTable("rooms").set({ archived_at: archivedAt }).where("id", "=", roomId).execute();
    return this.rooms.byId(roomId);
  }

  /**
   * Messages, files and memberships go first, in one transaction: no database relies on cascades
   * here. The files' bytes are queued for deletion in it (decision 0054); FileService removes them
   * after the commit.
   */
  async delete(roomId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // The room's row lock first, the one every send takes (MessageBatchWriter moves last_seq):
      // a send in flight commits before this goes on, a later one finds no room, so no file is
      // bound to the room between queuing its files and deleting them.
      await trx.updateTable("rooms").set({ last_seq: sql`last_seq` }).where("id", "=", roomId).execute();
      await deleteRoomUploads(trx, roomId);
      // The search index has no foreign key (decision 0039); reactions, mentions and levels go
      // with the room by cascade.
      await trx.deleteFrom("search_postings").where("room_id", "=", roomId).execute();
      await trx.deleteFrom("messages").where("room_id", "=", roomId).execute();
      await trx.deleteFrom("memberships").where("room_id", "=", roomId).execute();
      const result = await trx.deleteFrom("rooms").where("id", "=", roomId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  creatorOf(roomId: string): Promise<string | undefined> {
    return roomCreator(this.db, roomId);
  }
}
