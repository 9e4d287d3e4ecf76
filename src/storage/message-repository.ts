import { type Kysely, sql, type Transaction } from "kysely";
import { toMember } from "../chat/member.js";
import type { AppendResult, MessageStore, NewMessage } from "../chat/ports.js";
import type { Message } from "../protocol/index.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";

type Reader = Kysely<Database> | Transaction<Database>;

/** A retried send found its earlier copy after taking the room lock; the transaction must roll back. */
class AlreadyStored extends Error {
  constructor(readonly message_: Message) {
    super("already stored");
  }
}

export class MessageRepository implements MessageStore {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Bumps the room's counter first: the UPDATE takes the room's row lock on MySQL and
   * PostgreSQL (SQLite has one writer anyway), so concurrent senders get consecutive
   * sequence numbers, and the duplicate check after it sees every committed send.
   */
  async append(input: NewMessage): Promise<AppendResult> {
    try {
      const message = await this.db.transaction().execute(async (trx) => {
        await trx
          .updateTable("rooms")
          .set({ last_seq: sql`last_seq + 1` })
          .where("id", "=", input.roomId)
          .execute();
        const earlier = await this.byClientId(trx, input.author.id, input.clientId);
        if (earlier) throw new AlreadyStored(earlier);
        const { last_seq: seq } = await trx
          .selectFrom("rooms")
          .select("last_seq")
          .where("id", "=", input.roomId)
          .executeTakeFirstOrThrow();
        await trx
          .insertInto("messages")
          .values({
            room_id: input.roomId,
            seq,
            author_id: input.author.id,
            client_id: input.clientId,
            body: input.body,
            created_at: input.createdAt,
          })
          .execute();
        return {
          roomId: input.roomId,
          seq,
          clientId: input.clientId,
          author: input.author,
          body: input.body,
          createdAt: input.createdAt,
        };
      });
      return { message, duplicate: false };
    } catch (error) {
      if (error instanceof AlreadyStored) return { message: error.message_, duplicate: true };
      if (!isUniqueViolation(error)) throw error;
      // Two copies raced past the check on different rooms: the unique index kept one.
      const earlier = await this.byClientId(this.db, input.author.id, input.clientId);
      if (!earlier) throw error;
      return { message: earlier, duplicate: true };
    }
  }

  async latest(roomId: string, limit: number): Promise<Message[]> {
    const rows = await this.selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .orderBy("m.seq", "desc")
      .limit(limit)
      .execute();
    return rows.reverse().map(toMessage);
  }

  async before(roomId: string, beforeSeq: number, limit: number): Promise<Message[]> {
    const rows = await this.selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .where("m.seq", "<", beforeSeq)
      .orderBy("m.seq", "desc")
      .limit(limit)
      .execute();
    return rows.reverse().map(toMessage);
  }

  async after(roomId: string, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await this.selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .where("m.seq", ">", afterSeq)
      .orderBy("m.seq", "asc")
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  private async byClientId(reader: Reader, authorId: string, clientId: string): Promise<Message | undefined> {
    const row = await this.selectMessages(reader)
      .where("m.author_id", "=", authorId)
      .where("m.client_id", "=", clientId)
      .executeTakeFirst();
    return row && toMessage(row);
  }

  private selectMessages(reader: Reader) {
    return reader
      .selectFrom("messages as m")
      .innerJoin("user as u", "u.id", "m.author_id")
      .select([
        "m.room_id",
        "m.seq",
        "m.client_id",
        "m.body",
        "m.created_at",
        "u.id as author_id",
        "u.name as author_name",
        "u.image as author_image",
      ]);
  }
}

interface MessageRow {
  room_id: string;
  seq: number;
  client_id: string;
  body: string;
  created_at: number;
  author_id: string;
  author_name: string;
  author_image: string | null;
}

function toMessage(row: MessageRow): Message {
  return {
    roomId: row.room_id,
    seq: Number(row.seq),
    clientId: row.client_id,
    author: toMember({ id: row.author_id, name: row.author_name, image: row.author_image }),
    body: row.body,
    createdAt: Number(row.created_at),
  };
}
