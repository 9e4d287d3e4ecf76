import type { Kysely } from "kysely";
import type { StoredUpload, UploadStore } from "../files/upload-store.js";
import type { Database } from "./schema.js";
import { toStoredUpload } from "./upload-rows.js";

/** Upload records in SQL (migration 009). Binding to a message happens in MessageBatchWriter. */
export class UploadRepository implements UploadStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(upload: StoredUpload): Promise<void> {
    await this.db
      .insertInto("uploads")
      .values({
        id: upload.id,
        owner_id: upload.ownerId,
        name: upload.name,
        size: upload.size,
        type: upload.type,
        width: upload.width ?? null,
        height: upload.height ?? null,
        // 1/0: SQLite binds no booleans; PostgreSQL and MySQL read them as true/false.
        has_thumbnail: upload.hasThumbnail ? 1 : 0,
        created_at: upload.createdAt,
        room_id: null,
        message_seq: null,
        position: null,
      })
      .execute();
  }

  async byId(id: string): Promise<StoredUpload | undefined> {
    const row = await this.db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toStoredUpload(row);
  }

  async usedBytes(ownerId: string): Promise<number> {
    const row = await this.db
      .selectFrom("uploads")
      .select((eb) => eb.fn.sum<number | string | null>("size").as("total"))
      .where("owner_id", "=", ownerId)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  async unavailable(ownerId: string, clientId: string, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("uploads as u")
      .leftJoin("messages as m", (join) =>
        join.onRef("m.room_id", "=", "u.room_id").onRef("m.seq", "=", "u.message_seq"),
      )
      .select(["u.id", "u.owner_id", "u.room_id", "m.client_id", "m.author_id"])
      .where("u.id", "in", [...ids])
      .execute();
    const available = new Set(
      rows
        .filter(
          (row) =>
            row.owner_id === ownerId &&
            (row.room_id === null || (row.client_id === clientId && row.author_id === ownerId)),
        )
        .map((row) => row.id),
    );
    return ids.filter((id) => !available.has(id));
  }

  async deletePendingBefore(before: number, limit: number): Promise<StoredUpload[]> {
    const candidates = await this.db
      .selectFrom("uploads")
      .selectAll()
      .where("room_id", "is", null)
      .where("created_at", "<", before)
      .orderBy("created_at")
      .limit(limit)
      .execute();
    const deleted: StoredUpload[] = [];
    for (const row of candidates) {
      // Still pending at the moment of deleting: a send binding it meanwhile wins, and keeps it.
      const result = await this.db
        .deleteFrom("uploads")
        .where("id", "=", row.id)
        .where("room_id", "is", null)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) > 0) deleted.push(toStoredUpload(row));
    }
    return deleted;
  }

  async deleteForMessage(roomId: string, seq: number): Promise<StoredUpload[]> {
    const rows = await this.db
      .selectFrom("uploads")
      .selectAll()
      .where("room_id", "=", roomId)
      .where("message_seq", "=", seq)
      .execute();
    if (rows.length === 0) return [];
    await this.db
      .deleteFrom("uploads")
      .where("room_id", "=", roomId)
      .where("message_seq", "=", seq)
      .execute();
    return rows.map(toStoredUpload);
  }
}
