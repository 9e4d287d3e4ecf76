import type { Message } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { MentionStore } from "../chat/ports.js";
import { selectMessages, toMessage } from "./message-rows.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

/** Rows inserted per statement (well under every database's parameter limit). */
const INSERT_CHUNK = 500;

/** Who each message mentions; unread mentions are those above the person's read position. */
export class MentionRepository implements MentionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async record(roomId: string, seq: number, userIds: readonly string[], createdAt: number): Promise<void> {
    for (let start = 0; start < userIds.length; start += INSERT_CHUNK) {
      const rows = userIds
        .slice(start, start + INSERT_CHUNK)
        .map((userId) => ({ user_id: userId, room_id: roomId, seq, created_at: createdAt }));
      try {
        await this.db.insertInto("mentions").values(rows).execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Recorded before (a retried notification): insert the rows one by one, skipping those.
        for (const row of rows) {
          await this.db
            .insertInto("mentions")
            .values(row)
            .execute()
            .catch((rowError: unknown) => {
              if (!isUniqueViolation(rowError)) throw rowError;
            });
        }
      }
    }
  }

  async forget(roomId: string, seq: number): Promise<void> {
    await this.db.deleteFrom("mentions").where("room_id", "=", roomId).where("seq", "=", seq).execute();
  }

  async unread(userId: string, perRoom: number): Promise<Array<{ roomId: string; seqs: number[] }>> {
    const rows = await this.db
      .selectFrom("mentions as n")
      .innerJoin("memberships as m", (join) =>
        join.onRef("m.user_id", "=", "n.user_id").onRef("m.room_id", "=", "n.room_id"),
      )
      .select(["n.room_id", "n.seq"])
      .where("n.user_id", "=", userId)
      .whereRef("n.seq", ">", "m.last_read_seq")
      .orderBy("n.room_id")
      .orderBy("n.seq", "desc")
      .execute();
    const byRoom = new Map<string, number[]>();
    for (const row of rows) {
      const seqs = byRoom.get(row.room_id) ?? [];
      if (seqs.length < perRoom) seqs.push(Number(row.seq));
      byRoom.set(row.room_id, seqs);
    }
    return [...byRoom].map(([roomId, seqs]) => ({ roomId, seqs: seqs.reverse() }));
  }

  async recent(userId: string, roomIds: readonly string[], limit: number): Promise<Message[]> {
    if (roomIds.length === 0) return [];
    const rows = await selectMessages(this.db)
      .innerJoin("mentions as n", (join) =>
        join.onRef("n.room_id", "=", "m.room_id").onRef("n.seq", "=", "m.seq"),
      )
      .where("n.user_id", "=", userId)
      .orderBy("n.created_at", "desc")
      .orderBy("n.seq", "desc")
      .limit(limit * 4)
      .execute();
    // Filtered here rather than with IN (…): the readable rooms can be many thousands.
    const readable = new Set(roomIds);
    return rows
      .filter((row) => readable.has(row.room_id))
      .slice(0, limit)
      .map(toMessage);
  }
}
