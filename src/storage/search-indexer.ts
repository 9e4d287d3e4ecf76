import type { Kysely } from "kysely";
import type { DatabaseKind } from "./database.js";
import type { Database } from "./schema.js";
import { insertPostings } from "./search-postings.js";

/** Rooms and messages per indexing transaction: bounds how long an edit may wait on its message's lock. */
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

/** A one-off indexer (the Slack import's `sweep`) needs no timers and reports nothing. */
const ONE_OFF: SearchIndexerOptions = { delayMs: 0, sweepIntervalMs: 60_000, warn: () => undefined };

/**
 * Writes search postings after the send's commit, in batches (decision 0049). Each room records
 * how far it is indexed (`rooms.search_indexed_seq`); a batch indexes the due rooms' messages above
 * that mark from the rows as they are now (an edit or a deletion already applied), then moves the
 * mark. So a crash loses nothing: the next sweep finds the rooms behind. Writing many
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
    private readonly options: SearchIndexerOptions = ONE_OFF,
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
    // Others only wait for it to end; its failure is the caller's (below), never an unhandled rejection.
    this.running = run
      .finally(() => {
        this.running = undefined;
      })
      .catch(() => undefined);
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
    while (left.length > 0) left = await this.indexSome(left);
  }

  /**
   * Indexes up to one transaction's bounds; returns the rooms still behind. No room row is locked
   * while postings are written, so sends to the rooms go on meanwhile: the messages themselves are
   * locked (an edit or deletion of one waits, and its hook then re-indexes what it says now), and
   * each room's mark moves afterwards, only ever forwards. Writing a posting twice is harmless
   * (two nodes, or a crash before the mark moved), so the mark may lag but never lead.
   */
  private async indexSome(roomIds: readonly string[]): Promise<string[]> {
    const left = roomIds.slice(ROOMS_PER_TRANSACTION);
    const rooms = await this.db
      .selectFrom("rooms")
      .select(["id", "last_seq", "search_indexed_seq"])
      .where("id", "in", roomIds.slice(0, ROOMS_PER_TRANSACTION))
      .orderBy("id")
      .execute();
    let budget = MESSAGES_PER_TRANSACTION;
    const ranges: Array<{ roomId: string; seqs: number[]; to: number }> = [];
    for (const room of rooms) {
      const from = Number(room.search_indexed_seq);
      const last = Number(room.last_seq);
      if (from >= last) continue;
      const to = Math.min(last, from + Math.max(budget, 0));
      budget -= to - from;
      if (to < last) left.push(room.id);
      // Sequence numbers, not a range: on MySQL a locking read of a range also locks the gap after
      // it, which would stop the room's next send until this commits.
      if (to > from)
        ranges.push({ roomId: room.id, seqs: Array.from({ length: to - from }, (_, i) => from + 1 + i), to });
    }
    if (ranges.length === 0) return left;
    await this.db.transaction().execute(async (trx) => {
      const messages = await trx
        .selectFrom("messages")
        .select(["room_id", "seq", "body", "created_at"])
        .where((eb) =>
          eb.or(
            ranges.map((range) => eb.and([eb("room_id", "=", range.roomId), eb("seq", "in", range.seqs)])),
          ),
        )
        .$if(this.kind !== "sqlite", (query) => query.forUpdate())
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
    });
    // Its own transaction, rooms in id order as sends lock them (a room row taken while the
    // messages above were locked could deadlock with an edit, which locks its room first).
    await this.db.transaction().execute(async (trx) => {
      for (const range of ranges) {
        await trx
          .updateTable("rooms")
          .set({ search_indexed_seq: range.to })
          .where("id", "=", range.roomId)
          .where("search_indexed_seq", "<", range.to)
          .execute();
      }
    });
    return left;
  }
}
