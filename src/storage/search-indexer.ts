import { type Kysely, sql, type Transaction } from "kysely";
import type { DatabaseKind } from "./database.js";
import type { Database } from "./schema.js";
import { insertPostings } from "./search-postings.js";

/** Rooms locked and messages indexed per transaction: bounds how long a send may wait on the lock. */
const ROOMS_PER_TRANSACTION = 100;
const MESSAGES_PER_TRANSACTION = 2000;

export interface SearchIndexerOptions {
  /** How long after a commit its messages are indexed; sends within it share one transaction. */
  delayMs: number;
  /** How often rooms left behind (a crash, another node's crash, an import) are looked for. */
  sweepIntervalMs: number;
  /** Where a failed indexing is reported; the rooms stay due and are indexed on the next try. */
  warn(error: unknown): void;
}

/**
 * Writes search postings after the send's commit, in batches (decision 0049). Each room records
 * how far it is indexed (`rooms.search_indexed_seq`); a batch locks the due rooms, indexes their
 * messages above that mark from the rows as they are now (an edit or a deletion already applied),
 * and moves the mark. So a crash loses nothing: the next sweep finds the rooms behind. Writing many
 * messages' postings in one transaction touches each index page once instead of once per send,
 * which is most of the cost of an index written in the send's own transaction.
 */
export class SearchIndexer {
  private readonly due = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: DatabaseKind,
    private readonly options: SearchIndexerOptions,
  ) {}

  /** Messages were committed in these rooms: index them within `delayMs`. */
  written(roomIds: Iterable<string>): void {
    for (const roomId of roomIds) this.due.add(roomId);
    if (this.timer || this.stopped || this.due.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.options.warn(error));
    }, this.options.delayMs);
    this.timer.unref();
  }

  /** Indexes everything due now. Search calls it first, so a message is found once it is acknowledged. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.due.size === 0) return;
    const rooms = [...this.due].sort();
    this.due.clear();
    const run = this.index(rooms).catch((error: unknown) => {
      for (const roomId of rooms) this.due.add(roomId);
      throw error;
    });
    this.running = run.finally(() => {
      this.running = undefined;
    });
    await run;
  }

  /** Indexes whatever no node indexed (imports, crashes), now and then every `sweepIntervalMs`. */
  async start(): Promise<void> {
    await this.sweep();
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => this.options.warn(error));
    }, this.options.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** Stops the timers and indexes what is still due. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.sweeper);
    await this.flush();
  }

  async sweep(): Promise<void> {
    const behind = await this.db
      .selectFrom("rooms")
      .select("id")
      .whereRef("search_indexed_seq", "<", "last_seq")
      .execute();
    for (const room of behind) this.due.add(room.id);
    await this.flush();
  }

  private async index(roomIds: readonly string[]): Promise<void> {
    let left = roomIds;
    while (left.length > 0) {
      const rooms = left;
      left = await this.db.transaction().execute((trx) => this.indexSome(trx, rooms));
    }
  }

  /** Indexes up to the transaction's bounds; returns the rooms still behind. */
  private async indexSome(trx: Transaction<Database>, roomIds: readonly string[]): Promise<string[]> {
    const batch = roomIds.slice(0, ROOMS_PER_TRANSACTION);
    const left = roomIds.slice(ROOMS_PER_TRANSACTION);
    // Locked in id order, as the send's writer locks them: an edit (which locks its room first)
    // waits for this batch, so no posting of a body replaced meanwhile survives.
    const rooms = await trx
      .selectFrom("rooms")
      .select(["id", "last_seq", "search_indexed_seq"])
      .where("id", "in", batch)
      .orderBy("id")
      .$if(this.kind !== "sqlite", (query) => query.forUpdate())
      .execute();
    let budget = MESSAGES_PER_TRANSACTION;
    const ranges: Array<{ roomId: string; from: number; to: number }> = [];
    const cut = new Set<string>();
    for (const room of rooms) {
      const from = Number(room.search_indexed_seq);
      const last = Number(room.last_seq);
      if (from >= last) continue;
      const to = Math.min(last, from + Math.max(budget, 0));
      if (to > from) ranges.push({ roomId: room.id, from, to });
      budget -= to - from;
      if (to < last) {
        cut.add(room.id);
        left.push(room.id);
      }
    }
    if (ranges.length === 0) return left;
    const messages = await trx
      .selectFrom("messages")
      .select(["room_id", "seq", "body", "created_at"])
      .where((eb) =>
        eb.or(
          ranges.map((range) =>
            eb.and([eb("room_id", "=", range.roomId), eb("seq", ">", range.from), eb("seq", "<=", range.to)]),
          ),
        ),
      )
      .execute();
    await insertPostings(
      trx,
      this.kind,
      messages.map((message) => ({
        ...message,
        seq: Number(message.seq),
        created_at: Number(message.created_at),
      })),
    );
    // Every room but the one the budget cut short is indexed to its end (still locked: no send
    // could move it meanwhile).
    const complete = ranges.filter((range) => !cut.has(range.roomId)).map((range) => range.roomId);
    if (complete.length > 0) {
      await trx
        .updateTable("rooms")
        .set({ search_indexed_seq: sql`last_seq` })
        .where("id", "in", complete)
        .execute();
    }
    for (const range of ranges.filter((range) => cut.has(range.roomId))) {
      await trx
        .updateTable("rooms")
        .set({ search_indexed_seq: range.to })
        .where("id", "=", range.roomId)
        .execute();
    }
    return left;
  }
}
