import type { Message } from "@parley/protocol";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { TokenRequirement } from "../chat/search/matching.js";
import type { MessageIndexer, SearchCandidateQuery, SearchStore } from "../chat/search/search-ports.js";
import { personNameKey } from "../chat/search/search-service.js";
import { selectMessages, toMessage } from "./message-rows.js";
import type { Database } from "./schema.js";
import { insertPostings } from "./search-postings.js";

/** Rooms named in the SQL itself; past this many, rooms are checked on the rows read instead. */
const MAX_ROOMS_IN_QUERY = 500;
/** A token's postings counted at most this far when choosing which one the search starts from. */
const RARITY_PROBE = 1000;
/** Above every code point: `prefix + PREFIX_END` bounds the tokens starting with `prefix`. */
const PREFIX_END = "\u{10FFFF}";

type PostingsBuilder = ExpressionBuilder<Database, "search_postings"> & ExpressionBuilder<Database, never>;

interface MessageKey {
  room_id: string;
  seq: number;
}

/**
 * The search index in SQL (decision 0039): `search_postings` holds one row per distinct token of
 * each message, written in the send's own transaction (MessageBatchWriter). A search starts from
 * the rarest required token's postings, newest first, and keeps those whose message has the other
 * tokens too (primary-key look-ups), up to the limit; then reads those messages.
 */
export class SearchRepository implements SearchStore, MessageIndexer {
  constructor(private readonly db: Kysely<Database>) {}

  async candidates(query: SearchCandidateQuery): Promise<Message[]> {
    const roomsInQuery = query.roomIds.length <= MAX_ROOMS_IN_QUERY;
    // Too many rooms to name: read more and drop the others here (a person who may read
    // hundreds of rooms usually may read most of them).
    const readLimit = roomsInQuery ? query.limit : query.limit * 4;
    const keys = await this.matchingKeys(query, roomsInQuery, readLimit);
    const allowed = roomsInQuery ? undefined : new Set(query.roomIds);
    const wanted = (allowed ? keys.filter((key) => allowed.has(key.room_id)) : keys).slice(0, query.limit);
    return this.messages(wanted);
  }

  private async matchingKeys(
    query: SearchCandidateQuery,
    roomsInQuery: boolean,
    limit: number,
  ): Promise<MessageKey[]> {
    const oneRoom = roomsInQuery && query.roomIds.length === 1 ? query.roomIds[0] : undefined;
    // Rarest first: the walk starts from the token with the fewest postings.
    const exact = await this.byRarity(query.requirements);
    const prefixes = query.requirements.filter((r): r is { prefix: string } => "prefix" in r);
    const [driver, ...others] = exact;
    if (!driver) return this.keysWithoutToken(query, roomsInQuery, limit, prefixes);

    // Newest first along the primary key (token, created_at, room_id, seq).
    let select = this.db
      .selectFrom("search_postings as d")
      .select(["d.room_id", "d.seq"])
      .where("d.token", "=", driver)
      .orderBy("d.created_at", "desc")
      .orderBy("d.room_id", "desc")
      .orderBy("d.seq", "desc")
      .limit(limit);
    if (oneRoom !== undefined) select = select.where("d.room_id", "=", oneRoom);
    else if (roomsInQuery) select = select.where("d.room_id", "in", [...query.roomIds]);
    if (query.since !== undefined) select = select.where("d.created_at", ">=", query.since);
    if (query.until !== undefined) select = select.where("d.created_at", "<", query.until);
    for (const token of others) {
      select = select.where(({ exists, selectFrom }) =>
        exists(
          selectFrom("search_postings as o")
            .select(sql.lit(1).as("one"))
            .where("o.token", "=", token)
            .whereRef("o.created_at", "=", "d.created_at")
            .whereRef("o.room_id", "=", "d.room_id")
            .whereRef("o.seq", "=", "d.seq"),
        ),
      );
    }
    for (const { prefix } of prefixes) {
      select = select.where((eb) =>
        hasPrefix(eb as unknown as PostingsBuilder, prefix, "d.room_id", "d.seq"),
      );
    }
    const authorIds = query.authorIds;
    if (authorIds) {
      select = select.where(({ exists, selectFrom }) =>
        exists(
          selectFrom("messages as m")
            .select(sql.lit(1).as("one"))
            .whereRef("m.room_id", "=", "d.room_id")
            .whereRef("m.seq", "=", "d.seq")
            .where("m.author_id", "in", [...authorIds]),
        ),
      );
    }
    const rows = await select.execute();
    return rows.map((row) => ({ room_id: row.room_id, seq: Number(row.seq) }));
  }

  /** No whole token to start from (filters only, or lone CJK characters): walk the messages newest first. */
  private async keysWithoutToken(
    query: SearchCandidateQuery,
    roomsInQuery: boolean,
    limit: number,
    prefixes: ReadonlyArray<{ prefix: string }>,
  ): Promise<MessageKey[]> {
    const oneRoom = roomsInQuery && query.roomIds.length === 1 ? query.roomIds[0] : undefined;
    let select = this.db.selectFrom("messages as m").select(["m.room_id", "m.seq"]).limit(limit);
    if (oneRoom !== undefined) select = select.where("m.room_id", "=", oneRoom).orderBy("m.seq", "desc");
    else {
      if (roomsInQuery) select = select.where("m.room_id", "in", [...query.roomIds]);
      select = select.orderBy("m.created_at", "desc").orderBy("m.room_id", "desc").orderBy("m.seq", "desc");
    }
    if (query.since !== undefined) select = select.where("m.created_at", ">=", query.since);
    if (query.until !== undefined) select = select.where("m.created_at", "<", query.until);
    if (query.authorIds) select = select.where("m.author_id", "in", [...query.authorIds]);
    for (const { prefix } of prefixes) {
      select = select.where((eb) =>
        hasPrefix(eb as unknown as PostingsBuilder, prefix, "m.room_id", "m.seq"),
      );
    }
    const rows = await select.execute();
    return rows.map((row) => ({ room_id: row.room_id, seq: Number(row.seq) }));
  }

  /** The exact tokens required, rarest first (counted up to RARITY_PROBE each). */
  private async byRarity(requirements: readonly TokenRequirement[]): Promise<string[]> {
    const tokens = [...new Set(requirements.flatMap((r) => ("token" in r ? [r.token] : [])))];
    if (tokens.length <= 1) return tokens;
    const counted = await Promise.all(
      tokens.map(async (token) => {
        const probe = this.db
          .selectFrom("search_postings")
          .select("seq")
          .where("token", "=", token)
          .limit(RARITY_PROBE)
          .as("probe");
        const row = await this.db
          .selectFrom(probe)
          .select((eb) => eb.fn.countAll<number | string>().as("n"))
          .executeTakeFirst();
        return { token, count: Number(row?.n ?? 0) };
      }),
    );
    return counted.sort((a, b) => a.count - b.count).map((entry) => entry.token);
  }

  /** The messages of these keys, in the keys' order. */
  private async messages(keys: readonly MessageKey[]): Promise<Message[]> {
    if (keys.length === 0) return [];
    const byRoom = new Map<string, number[]>();
    for (const key of keys) byRoom.set(key.room_id, [...(byRoom.get(key.room_id) ?? []), key.seq]);
    const rows = await selectMessages(this.db)
      .where((eb) =>
        eb.or(
          [...byRoom].map(([roomId, seqs]) =>
            eb.and([eb("m.room_id", "=", roomId), eb("m.seq", "in", seqs)]),
          ),
        ),
      )
      .execute();
    const found = new Map(rows.map((row) => [`${row.room_id}\u0000${Number(row.seq)}`, toMessage(row)]));
    return keys.flatMap((key) => found.get(`${key.room_id}\u0000${key.seq}`) ?? []);
  }

  async peopleNamed(name: string): Promise<string[]> {
    const wanted = personNameKey(name);
    const people = await this.db.selectFrom("user").select(["id", "name"]).execute();
    return people.filter((person) => personNameKey(person.name) === wanted).map((person) => person.id);
  }

  async reindex(roomId: string, seq: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("search_postings").where("room_id", "=", roomId).where("seq", "=", seq).execute();
      const message = await trx
        .selectFrom("messages")
        .select(["room_id", "seq", "body", "created_at"])
        .where("room_id", "=", roomId)
        .where("seq", "=", seq)
        .executeTakeFirst();
      if (message) {
        await insertPostings(trx, [
          { ...message, seq: Number(message.seq), created_at: Number(message.created_at) },
        ]);
      }
    });
  }

  async remove(roomId: string, seq: number): Promise<void> {
    await this.db
      .deleteFrom("search_postings")
      .where("room_id", "=", roomId)
      .where("seq", "=", seq)
      .execute();
  }
}

/** The message (room, seq columns of the outer query) has a token starting with `prefix`. */
function hasPrefix(
  eb: PostingsBuilder,
  prefix: string,
  roomColumn: "d.room_id" | "m.room_id",
  seqColumn: "d.seq" | "m.seq",
) {
  return eb.exists(
    eb
      .selectFrom("search_postings as p")
      .select(sql.lit(1).as("one"))
      .whereRef("p.room_id", "=", sql.ref(roomColumn) as never)
      .whereRef("p.seq", "=", sql.ref(seqColumn) as never)
      .where("p.token", ">=", prefix)
      .where("p.token", "<", prefix + PREFIX_END),
  );
}
