import { type Kysely, sql, type Transaction } from "kysely";
import type { QueuedDeletion, Reservation, StoredUpload, UploadStore } from "../files/upload-store.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";
import { deletionsDone, queueDeletions, queuedDeletions } from "./upload-deletion-queue.js";
import { toStoredUpload } from "./upload-rows.js";

type Reader = Kysely<Database> | Transaction<Database>;

/**
 * Upload records in SQL (migrations 009 and 012). Binding to a message happens in
 * MessageBatchWriter; a room's files are deleted with the room (RoomSettingsRepository).
 */
export class UploadRepository implements UploadStore {
  constructor(private readonly db: Kysely<Database>) {}

  async reserve(upload: StoredUpload, quotaBytes: number): Promise<Reservation> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const outcome = await this.db.transaction().execute(async (trx): Promise<Reservation | undefined> => {
        // Write first, as MessageBatchWriter does with rooms: updating the owner's lock row takes
        // its row lock (MySQL, PostgreSQL) or the database's write lock (SQLite), so a second
        // upload of the same person waits here until this one commits, and the sum read after it
        // is current (a fresh statement snapshot on PostgreSQL; MySQL's read view starts at it).
        const locked = await trx
          .updateTable("upload_quota_locks")
          .set({ checks: sql`checks + 1` })
          .where("owner_id", "=", upload.ownerId)
          .executeTakeFirst();
        if (Number(locked.numUpdatedRows) === 0) return undefined;
        const used = await usedBytes(trx, upload.ownerId);
        if (used + upload.size > quotaBytes) return { kind: "over_quota", usedBytes: used };
        await insertUpload(trx, upload);
        return { kind: "reserved" };
      });
      if (outcome) return outcome;
      // The person's first upload: make their lock row (another upload may make it at the same time).
      try {
        await this.db
          .insertInto("upload_quota_locks")
          .values({ owner_id: upload.ownerId, checks: 0 })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    throw new Error(`no quota lock row for ${upload.ownerId} (was the person deleted?)`);
  }

  async byId(id: string): Promise<StoredUpload | undefined> {
    const row = await this.db.selectFrom("uploads").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toStoredUpload(row);
  }

  usedBytes(ownerId: string): Promise<number> {
    return usedBytes(this.db, ownerId);
  }

  async pendingOf(ownerId: string, limit: number): Promise<StoredUpload[]> {
    const rows = await this.db
      .selectFrom("uploads")
      .selectAll()
      .where("owner_id", "=", ownerId)
      .where("room_id", "is", null)
      .orderBy("created_at")
      .limit(limit)
      .execute();
    return rows.map(toStoredUpload);
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
      const upload = toStoredUpload(row);
      if (await this.deletePendingUpload(upload)) deleted.push(upload);
    }
    return deleted;
  }

  async deletePending(id: string): Promise<boolean> {
    const upload = await this.byId(id);
    return upload !== undefined && upload.roomId === undefined && this.deletePendingUpload(upload);
  }

  queuedDeletions(limit: number): Promise<QueuedDeletion[]> {
    return queuedDeletions(this.db, limit);
  }

  deletionsDone(uploadIds: readonly string[]): Promise<void> {
    return deletionsDone(this.db, uploadIds);
  }

  /** Deletes the record if it is still pending, queuing its bytes in the same transaction. */
  private deletePendingUpload(upload: StoredUpload): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Still pending at the moment of deleting: a send binding it meanwhile wins, and keeps it.
      const result = await trx
        .deleteFrom("uploads")
        .where("id", "=", upload.id)
        .where("room_id", "is", null)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await queueDeletions(trx, [upload]);
      return true;
    });
  }
}

async function usedBytes(reader: Reader, ownerId: string): Promise<number> {
  const row = await reader
    .selectFrom("uploads")
    .select((eb) => eb.fn.sum<number | string | null>("size").as("total"))
    .where("owner_id", "=", ownerId)
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

async function insertUpload(trx: Transaction<Database>, upload: StoredUpload): Promise<void> {
  await trx
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
