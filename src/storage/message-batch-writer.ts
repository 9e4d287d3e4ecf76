import type { Message } from "@parley/protocol";
import { CompiledQuery, type Insertable, type Kysely, sql, type Transaction } from "kysely";
import { AttachmentUnavailableError } from "../chat/attachment-rules.js";
import type { AppendResult, NewMessage } from "../chat/ports.js";
import { toAttachment } from "../files/attachment-view.js";
import { compiledOnce } from "./compiled-once.js";
import { type Reader, selectMessages, toMessage } from "./message-rows.js";
import type { Database, MessageTable } from "./schema.js";
import { isUniqueViolation } from "./unique-violation.js";
import { toStoredUpload } from "./upload-rows.js";

interface Pending {
  input: NewMessage;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** Largest batch in one transaction; bounds statement size and the wait of the last in line. */
const MAX_BATCH = 256;
const INSERT_CHUNK = 200;

const key = (authorId: string, clientId: string) => `${authorId}\u0000${clientId}`;

/**
 * Group commit: every send that arrives while the previous transaction runs (or within one
 * event-loop turn) is written in the next single transaction, and each is acknowledged only
 * after that commit. Per batch and room, the room's counter is moved once (the UPDATE holds the
 * row's lock until commit, so concurrent nodes get consecutive ranges), and each message is one
 * row of a multi-row INSERT. A batch is first written without looking for stored copies of its
 * sends; a retried send stored already (here, or on another node meanwhile) makes the INSERT fail
 * on the unique index, and the batch is written again, looking (then, failing still, one by one).
 */
export class MessageBatchWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private busy = false;
  /** SQLite and PostgreSQL: UPDATE … RETURNING; MySQL/MariaDB reads the row after. */
  private readonly returning: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    /** Told of the rooms of every batch once it committed, before its acks: the search index follows (decision 0049). */
    private readonly committed: (roomIds: ReadonlySet<string>) => void = () => undefined,
  ) {
    this.returning = db.getExecutor().adapter.supportsReturning === true;
  }

  append(input: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.busy || this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.pump();
      });
    });
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0) await this.write(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.busy = false;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const inputs = batch.map((pending) => pending.input);
    let failure: unknown;
    // Most sends are new, so the batch is first written without looking for stored copies: a
    // retried send stored already makes the INSERT fail on the (author_id, client_id) unique index,
    // and the batch is written again, looking.
    for (const lookForCopies of [false, true]) {
      try {
        const results = await this.db
          .transaction()
          .execute((trx) => this.writeIn(trx, inputs, lookForCopies));
        // Before the acks: a search that follows an ack finds the message (decision 0049).
        this.committed(new Set(inputs.map((input) => input.roomId)));
        for (const [i, pending] of batch.entries()) pending.resolve(results[i] as AppendResult);
        return;
      } catch (error) {
        failure = error;
        if (!isUniqueViolation(error)) break;
      }
    }
    if (batch.length === 1) return this.settleAlone(batch[0] as Pending, failure);
    // One bad message must not fail the others: write them one by one to find it.
    for (const pending of batch) {
      try {
        const [result] = await this.db
          .transaction()
          .execute((trx) => this.writeIn(trx, [pending.input], true));
        this.committed(new Set([pending.input.roomId]));
        pending.resolve(result as AppendResult);
      } catch (error) {
        await this.settleAlone(pending, error);
      }
    }
  }

  /** A lone failure: a unique violation means another node stored the same send first. */
  private async settleAlone(pending: Pending, error: unknown): Promise<void> {
    if (isUniqueViolation(error)) {
      const [earlier] = await this.earlierCopies(this.db, [pending.input]);
      if (earlier) return pending.resolve({ message: earlier, duplicate: true });
    }
    pending.reject(error);
  }

  private async writeIn(
    trx: Transaction<Database>,
    inputs: NewMessage[],
    lookForCopies: boolean,
  ): Promise<AppendResult[]> {
    // Write first: moving each room's counter takes its row lock (MySQL, PostgreSQL) or the
    // database's write lock (SQLite, where a transaction that read first could not upgrade once
    // another process wrote), so everything read after it is current. Rooms go in one order, so
    // two nodes' batches never wait on each other's rows crosswise. Each room is reserved one
    // number per input; numbers left over by retried sends are handed back below.
    const reserved = new Map<string, { next: number; end: number }>();
    const counts = new Map<string, number>();
    for (const input of inputs) counts.set(input.roomId, (counts.get(input.roomId) ?? 0) + 1);
    for (const [roomId, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const end = await this.reserve(trx, roomId, count);
      if (end === undefined) throw new Error(`room ${roomId} does not exist`);
      reserved.set(roomId, { next: end - count + 1, end });
    }

    const known = new Map<string, Message>();
    if (lookForCopies) {
      for (const earlier of await this.earlierCopies(trx, inputs)) {
        known.set(key(earlier.author.id, earlier.clientId), earlier);
      }
    }
    const results: AppendResult[] = [];
    const rows: Array<Insertable<MessageTable>> = [];
    for (const input of inputs) {
      const existing = known.get(key(input.author.id, input.clientId));
      if (existing) {
        results.push({ message: existing, duplicate: true });
        continue;
      }
      const range = reserved.get(input.roomId) as { next: number; end: number };
      const { attachmentIds, ...fields } = input;
      let message: Message = { ...fields, seq: range.next++ };
      // files (issue 16): bound in the same transaction, so a message never names a file it lacks.
      if (attachmentIds && attachmentIds.length > 0) {
        message = { ...message, attachments: await this.bindUploads(trx, message, attachmentIds) };
      }
      known.set(key(input.author.id, input.clientId), message);
      results.push({ message, duplicate: false });
      rows.push({
        room_id: message.roomId,
        seq: message.seq,
        author_id: message.author.id,
        client_id: message.clientId,
        body: message.body,
        created_at: message.createdAt,
        reply_to_seq: input.replyTo?.seq ?? null,
      });
    }
    // Retries found stored already: give their numbers back, so the room stays gap-free.
    for (const [roomId, range] of reserved) {
      if (range.next <= range.end) {
        await trx
          .updateTable("rooms")
          .set({ last_seq: range.next - 1 })
          .where("id", "=", roomId)
          .execute();
      }
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await this.insertMessages(trx, rows.slice(i, i + INSERT_CHUNK));
    return results;
  }

  /** Moves the room's counter on by `count`; its new value (one statement where RETURNING exists). */
  private async reserve(
    trx: Transaction<Database>,
    roomId: string,
    count: number,
  ): Promise<number | undefined> {
    const update = (by: number, id: string) =>
      trx
        .updateTable("rooms")
        .set({ last_seq: sql`last_seq + ${by}` })
        .where("id", "=", id);
    if (this.returning) {
      const text = compiledOnce(trx, "reserve-returning", () => ({
        query: update(-7, "\u0000room").returning("last_seq").compile(),
        parameters: [-7, "\u0000room"],
      }));
      const { rows } = await trx.executeQuery<{ last_seq: number }>(CompiledQuery.raw(text, [count, roomId]));
      return rows[0] && Number(rows[0].last_seq);
    }
    await update(count, roomId).execute();
    const room = await trx.selectFrom("rooms").select("last_seq").where("id", "=", roomId).executeTakeFirst();
    return room && Number(room.last_seq);
  }

  /** One multi-row INSERT; its text is compiled once per number of rows. */
  private async insertMessages(
    trx: Transaction<Database>,
    rows: Array<Insertable<MessageTable>>,
  ): Promise<void> {
    const columns = (row: Insertable<MessageTable>) => [
      row.room_id,
      row.seq,
      row.author_id,
      row.client_id,
      row.body,
      row.created_at,
      row.reply_to_seq ?? null,
    ];
    const text = compiledOnce(trx, `insert-messages-${rows.length}`, () => {
      const sample = rows.map(
        (_, i): Insertable<MessageTable> => ({
          room_id: `\u0000r${i}`,
          seq: -1 - i,
          author_id: `\u0000a${i}`,
          client_id: `\u0000c${i}`,
          body: `\u0000b${i}`,
          created_at: -1_000_000 - i,
          reply_to_seq: -2_000_000 - i,
        }),
      );
      return {
        query: trx.insertInto("messages").values(sample).compile(),
        parameters: sample.flatMap(columns),
      };
    });
    await trx.executeQuery(CompiledQuery.raw(text, rows.flatMap(columns)));
  }

  /**
   * files (issue 16): makes the author's pending uploads the message's files, in the order given;
   * throws AttachmentUnavailableError (rolling the batch back) when one is not pending or not theirs.
   */
  private async bindUploads(trx: Transaction<Database>, message: Message, ids: readonly string[]) {
    for (const [position, id] of ids.entries()) {
      const result = await trx
        .updateTable("uploads")
        .set({ room_id: message.roomId, message_seq: message.seq, position })
        .where("id", "=", id)
        .where("owner_id", "=", message.author.id)
        .where("room_id", "is", null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new AttachmentUnavailableError(id);
    }
    const rows = await trx
      .selectFrom("uploads")
      .selectAll()
      .where("id", "in", [...ids])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, toAttachment(toStoredUpload(row))]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Stored messages with the same (author, clientId) as any of the inputs. */
  private async earlierCopies(reader: Reader, inputs: NewMessage[]): Promise<Message[]> {
    const wanted = new Set(inputs.map((input) => key(input.author.id, input.clientId)));
    // Both lists, so the lookup runs on the (author_id, client_id) unique index.
    const rows = await selectMessages(reader)
      .where("m.author_id", "in", [...new Set(inputs.map((input) => input.author.id))])
      .where("m.client_id", "in", [...new Set(inputs.map((input) => input.clientId))])
      .execute();
    return rows.filter((row) => wanted.has(key(row.author_id, row.client_id))).map(toMessage);
  }
}
