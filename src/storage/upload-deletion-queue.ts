import { type Kysely, sql, type Transaction } from "kysely";
import type { QueuedDeletion } from "../files/upload-store.js";
import type { Database } from "./schema.js";
import { toStoredUpload } from "./upload-rows.js";

type Writer = Kysely<Database> | Transaction<Database>;

/**
 * The queue of stored bytes to remove (migration 012, decision 0054). Whoever deletes upload
 * records queues their bytes in the same transaction; FileService removes the bytes after the
 * commit and then the queue rows. A crash, or a file store that is away, in between leaves rows
 * that the next sweep (at start and every UPLOAD_SWEEP_INTERVAL_MS) finishes.
 */
export async function queueDeletions(
  trx: Writer,
  uploads: ReadonlyArray<{ id: string; hasThumbnail: boolean }>,
): Promise<void> {
  if (uploads.length === 0) return;
  const queuedAt = Date.now();
  await trx
    .insertInto("upload_deletions")
    .values(
      uploads.map((upload) => ({
        upload_id: upload.id,
        // 1/0: SQLite binds no booleans; PostgreSQL and MySQL read them as true/false.
        has_thumbnail: upload.hasThumbnail ? 1 : 0,
        queued_at: queuedAt,
      })),
    )
    .execute();
}

/**
 * Queues the bytes of every file of a room, then deletes the records: run inside the room's
 * delete, after its row lock is taken, so no send binds a file to the room in between.
 */
export async function deleteRoomUploads(trx: Transaction<Database>, roomId: string): Promise<void> {
  await trx
    .insertInto("upload_deletions")
    .columns(["upload_id", "has_thumbnail", "queued_at"])
    .expression((eb) =>
      eb
        .selectFrom("uploads")
        // A literal, not a parameter: PostgreSQL cannot type a parameter in an INSERT's SELECT list.
        .select(["id", "has_thumbnail", sql.lit(Date.now()).as("queued_at")])
        .where("room_id", "=", roomId),
    )
    .execute();
  await trx.deleteFrom("uploads").where("room_id", "=", roomId).execute();
}

/** Queues the bytes of a message's files and deletes their records, inside the caller's transaction. */
export async function deleteMessageUploads(
  trx: Transaction<Database>,
  roomId: string,
  seq: number,
): Promise<void> {
  const rows = await trx
    .selectFrom("uploads")
    .selectAll()
    .where("room_id", "=", roomId)
    .where("message_seq", "=", seq)
    .execute();
  if (rows.length === 0) return;
  await trx.deleteFrom("uploads").where("room_id", "=", roomId).where("message_seq", "=", seq).execute();
  // A message's files stay its own, so all of these were its files; one deleted meanwhile by
  // another path (the room's delete) is only queued twice.
  await queueDeletions(trx, rows.map(toStoredUpload));
}

export async function queuedDeletions(db: Writer, limit: number): Promise<QueuedDeletion[]> {
  const rows = await db
    .selectFrom("upload_deletions")
    .select(["upload_id", "has_thumbnail"])
    .orderBy("queued_at")
    .limit(limit)
    .execute();
  return rows.map((row) => ({ uploadId: row.upload_id, hasThumbnail: Boolean(row.has_thumbnail) }));
}

export async function deletionsDone(db: Writer, uploadIds: readonly string[]): Promise<void> {
  if (uploadIds.length === 0) return;
  await db
    .deleteFrom("upload_deletions")
    .where("upload_id", "in", [...uploadIds])
    .execute();
}
