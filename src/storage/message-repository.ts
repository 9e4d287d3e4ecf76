import type { Message } from "@parley/protocol";
import type { Kysely } from "kysely";
import type { AppendResult, MessageStore, NewMessage } from "../chat/ports.js";
import { MessageBatchWriter } from "./message-batch-writer.js";
import { withMessageDetails } from "./message-details.js";
import { selectMessages, toMessage } from "./message-rows.js";
import type { Database } from "./schema.js";

/** Messages in SQL: appends go through group commit, reads are keyset pages on (room_id, seq). */
export class MessageRepository implements MessageStore {
  private readonly writer: MessageBatchWriter;

  /** `committed`: told of the rooms of each committed batch (the search indexer, SEARCH_INDEX=sql). */
  constructor(
    private readonly db: Kysely<Database>,
    committed?: (roomIds: ReadonlySet<string>) => void,
  ) {
    this.writer = new MessageBatchWriter(db, committed);
  }

  append(input: NewMessage): Promise<AppendResult> {
    return this.writer.append(input);
  }

  async latest(roomId: string, limit: number): Promise<Message[]> {
    const rows = await selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .orderBy("m.seq", "desc")
      .limit(limit)
      .execute();
    return withMessageDetails(this.db, rows.reverse().map(toMessage));
  }

  async before(roomId: string, beforeSeq: number, limit: number): Promise<Message[]> {
    const rows = await selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .where("m.seq", "<", beforeSeq)
      .orderBy("m.seq", "desc")
      .limit(limit)
      .execute();
    return withMessageDetails(this.db, rows.reverse().map(toMessage));
  }

  async after(roomId: string, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await selectMessages(this.db)
      .where("m.room_id", "=", roomId)
      .where("m.seq", ">", afterSeq)
      .orderBy("m.seq", "asc")
      .limit(limit)
      .execute();
    return withMessageDetails(this.db, rows.map(toMessage));
  }
}
