import type { Message } from "@parley/protocol";
import { type Kysely, sql, type Transaction } from "kysely";
import type { CommittedChange, MessageChangeStore } from "../chat/ports.js";
import { withMessageDetails } from "./message-details.js";
import { selectMessages, toMessage } from "./message-rows.js";
import type { Database } from "./schema.js";
import { deleteMessageUploads } from "./upload-deletion-queue.js";

/** Thrown inside a change transaction to roll it back (and the change sequence it took) with an answer. */
class NoChange extends Error {
  constructor(readonly answer: "unchanged" | "full" | undefined) {
    super("no change");
  }
}

/**
 * The change log in SQL (decision 0033): every mutation first moves the room's
 * `last_change_seq` (taking the room row's lock, or SQLite's write lock, until commit, so change
 * sequences commit in order and without gaps), then changes the message row and stamps it with
 * that sequence. A change that turns out to change nothing rolls back, sequence and all.
 */
export class MessageChangeRepository implements MessageChangeStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(roomId: string, seq: number): Promise<Message | undefined> {
    return readMessage(this.db, roomId, seq);
  }

  edit(roomId: string, seq: number, body: string, editedAt: number): Promise<CommittedChange | undefined> {
    return this.change(roomId, seq, async (trx, changeSeq) => {
      const result = await trx
        .updateTable("messages")
        .set({ body, edited_at: editedAt, change_seq: changeSeq })
        .where("room_id", "=", roomId)
        .where("seq", "=", seq)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new NoChange(undefined);
    }) as Promise<CommittedChange | undefined>;
  }

  delete(roomId: string, seq: number, deletedAt: number): Promise<CommittedChange | undefined> {
    return this.change(roomId, seq, async (trx, changeSeq) => {
      // The body is overwritten, not flagged: a deleted message's text is gone from the row.
      const result = await trx
        .updateTable("messages")
        .set({ body: "", deleted_at: deletedAt, change_seq: changeSeq, reply_to_seq: null })
        .where("room_id", "=", roomId)
        .where("seq", "=", seq)
        .where("deleted_at", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new NoChange(undefined);
      await trx
        .deleteFrom("reactions")
        .where("room_id", "=", roomId)
        .where("message_seq", "=", seq)
        .execute();
      // Its files' records go with it, their bytes queued for FileService (decision 0054): no
      // stop between this commit and the delete hook leaves them readable.
      await deleteMessageUploads(trx, roomId, seq);
    }) as Promise<CommittedChange | undefined>;
  }

  react(input: {
    roomId: string;
    seq: number;
    userId: string;
    emoji: string;
    add: boolean;
    at: number;
    maxEmoji: number;
  }): Promise<CommittedChange | "unchanged" | "full" | undefined> {
    const { roomId, seq, userId, emoji } = input;
    return this.change(roomId, seq, async (trx, changeSeq) => {
      const message = await trx
        .selectFrom("messages")
        .select("deleted_at")
        .where("room_id", "=", roomId)
        .where("seq", "=", seq)
        .executeTakeFirst();
      if (!message || message.deleted_at !== null) throw new NoChange(undefined);
      const mine = trx
        .selectFrom("reactions")
        .select("emoji")
        .where("room_id", "=", roomId)
        .where("message_seq", "=", seq)
        .where("user_id", "=", userId)
        .where("emoji", "=", emoji);
      const exists = (await mine.executeTakeFirst()) !== undefined;
      if (exists === input.add) throw new NoChange("unchanged");
      if (input.add) {
        const kinds = await trx
          .selectFrom("reactions")
          .select("emoji")
          .distinct()
          .where("room_id", "=", roomId)
          .where("message_seq", "=", seq)
          .execute();
        if (!kinds.some((row) => row.emoji === emoji) && kinds.length >= input.maxEmoji) {
          throw new NoChange("full");
        }
        await trx
          .insertInto("reactions")
          .values({ room_id: roomId, message_seq: seq, user_id: userId, emoji, created_at: input.at })
          .execute();
      } else {
        await trx
          .deleteFrom("reactions")
          .where("room_id", "=", roomId)
          .where("message_seq", "=", seq)
          .where("user_id", "=", userId)
          .where("emoji", "=", emoji)
          .execute();
      }
      await trx
        .updateTable("messages")
        .set({ change_seq: changeSeq })
        .where("room_id", "=", roomId)
        .where("seq", "=", seq)
        .execute();
    });
  }

  async positions(roomId: string): Promise<{ lastSeq: number; lastChangeSeq: number }> {
    const row = await this.db
      .selectFrom("rooms")
      .select(["last_seq", "last_change_seq"])
      .where("id", "=", roomId)
      .executeTakeFirst();
    return { lastSeq: Number(row?.last_seq ?? 0), lastChangeSeq: Number(row?.last_change_seq ?? 0) };
  }

  async changedSince(
    roomId: string,
    afterChangeSeq: number,
    upToSeq: number,
    limit: number,
  ): Promise<Message[]> {
    const rows = await selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .where("m.change_seq", ">", afterChangeSeq)
      .where("m.seq", "<=", upToSeq)
      .orderBy("m.change_seq", "asc")
      .limit(limit)
      .execute();
    return withMessageDetails(this.db, rows.map(toMessage));
  }

  /** Takes the room's next change sequence, applies `apply`, and reads the message back, in one transaction. */
  private async change(
    roomId: string,
    seq: number,
    apply: (trx: Transaction<Database>, changeSeq: number) => Promise<void>,
  ): Promise<CommittedChange | "unchanged" | "full" | undefined> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("rooms")
          .set({ last_change_seq: sql`last_change_seq + 1` })
          .where("id", "=", roomId)
          .execute();
        const room = await trx
          .selectFrom("rooms")
          .select("last_change_seq")
          .where("id", "=", roomId)
          .executeTakeFirst();
        if (!room) throw new NoChange(undefined);
        const changeSeq = Number(room.last_change_seq);
        await apply(trx, changeSeq);
        const message = await readMessage(trx, roomId, seq);
        if (!message) throw new NoChange(undefined);
        return { changeSeq, message };
      });
    } catch (error) {
      if (error instanceof NoChange) return error.answer;
      throw error;
    }
  }
}

async function readMessage(
  reader: Kysely<Database> | Transaction<Database>,
  roomId: string,
  seq: number,
): Promise<Message | undefined> {
  const row = await selectMessages(reader)
    .where("m.room_id", "=", roomId)
    .where("m.seq", "=", seq)
    .executeTakeFirst();
  if (!row) return undefined;
  const [message] = await withMessageDetails(reader, [toMessage(row)]);
  return message;
}
