import type { Message } from "@parley/protocol";
import { type ExpressionBuilder, type Kysely, sql } from "kysely";
import type { TokenRequirement } from "../chat/search/matching.js";
import type {
  CandidatePage,
  MessageIndexer,
  SearchCandidateQuery,
  SearchStore,
} from "../chat/search/search-ports.js";
import { personNameKey } from "../chat/search/search-service.js";
import type { DatabaseKind } from "./database.js";
import { selectMessages, toMessage } from "./message-rows.js";
import type { Database } from "./schema.js";
import type { SearchIndexer } from "./search-indexer.js";
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

interface PostingKey extends MessageKey {
  created_at: number;
}

/** Searches without a whole word over at most this many rooms walk each room apart. */
const MAX_ROOMS_WALKED_APART = 50;
/** Postings read per step of a walk (also the length of the IN-lists of the look-ups). */
const WALK_CHUNK = 1000;
/** Most postings of the starting token one search reads; past it the answer is marked partial. */
const MAX_POSTINGS_WALKED = 50_000;

const keyId = (key: PostingKey) => `${key.created_at}\u0000${key.room_id}\u0000${key.seq}`;

/** Rows of these messages: per room, its sequence numbers (served by (room_id, seq) indexes). */
function inMessages(
  eb: ExpressionBuilder<Database, "search_postings"> | ExpressionBuilder<Database, "messages">,
  keys: readonly MessageKey[],
) {
  const byRoom = new Map<string, number[]>();
  for (const key of keys) byRoom.set(key.room_id, [...(byRoom.get(key.room_id) ?? []), key.seq]);
  const e = eb as ExpressionBuilder<Database, "messages">;
  return e.or([...byRoom].map(([roomId, seqs]) => e.and([e("room_id", "=", roomId), e("seq", "in", seqs)])));
}

/**
 * The search index in SQL (decision 0039): `search_postings` holds one row per distinct token of
 * each message, written after the send's commit by the SearchIndexer (decision 0049). A search starts from
 * the rarest required token's postings, newest first, and keeps those whose message has the other
 * tokens too (primary-key look-ups), up to the limit; then reads those messages.
 */
export class SearchRepository implements SearchStore, MessageIndexer {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: DatabaseKind,
    /** This node's batch indexer: what it has not written yet is written before a search. */
    private readonly indexer?: SearchIndexer,
  ) {}

  async candidates(query: SearchCandidateQuery): Promise<CandidatePage> {
    await this.indexer?.flush();
    // Too many rooms to name in the SQL: rows of other rooms are dropped here instead (a person
    // who may read hundreds of rooms usually may read most of them).
    const allowed = query.roomIds.length <= MAX_ROOMS_IN_QUERY ? undefined : new Set(query.roomIds);
    const exact = await this.byRarity(query.requirements);
    const prefixes = query.requirements.filter((r): r is { prefix: string } => "prefix" in r);
    const [driver, ...others] = exact;
    if (driver) {
      const walked = await this.walk(driver, others, prefixes, query, allowed);
      return { messages: await this.messages(walked.keys.slice(0, query.limit)), more: walked.more };
    }
    const rows = await this.keysWithoutToken(
      query,
      !allowed,
      allowed ? query.limit * 4 : query.limit,
      prefixes,
    );
    const keys = (allowed ? rows.filter((key) => allowed.has(key.room_id)) : rows).slice(0, query.limit);
    return { messages: await this.messages(keys), more: rows.length >= query.limit };
  }

  /**
   * Walks the rarest token's postings newest first, a chunk at a time, and keeps the messages
   * that have every other token too (one look-up per other token and chunk, on the primary key
   * by the chunk's instants), until `limit` are found or MAX_POSTINGS_WALKED were read. The join
   * is done here rather than left to each database's planner: PostgreSQL chose a hash join over
   * every posting of two common words (seconds) where this reads a few thousand rows.
   */
  private async walk(
    driver: string,
    others: readonly string[],
    prefixes: ReadonlyArray<{ prefix: string }>,
    query: SearchCandidateQuery,
    allowed: ReadonlySet<string> | undefined,
  ): Promise<{ keys: PostingKey[]; more: boolean }> {
    const found: PostingKey[] = [];
    const seen = new Set<string>();
    let atOrBefore: number | undefined;
    let walked = 0;
    // The first chunk is what a page needs if every posting matched; later ones grow.
    let chunkSize = Math.min(WALK_CHUNK, Math.max(query.limit, 50));
    for (;;) {
      let select = this.db
        .selectFrom("search_postings")
        .select(["created_at", "room_id", "seq"])
        .where("token", "=", driver)
        .orderBy("created_at", "desc")
        .orderBy("room_id", "desc")
        .orderBy("seq", "desc")
        .limit(chunkSize);
      if (!allowed) {
        select =
          query.roomIds.length === 1
            ? select.where("room_id", "=", query.roomIds[0] as string)
            : select.where("room_id", "in", [...query.roomIds]);
      }
      if (query.since !== undefined) select = select.where("created_at", ">=", query.since);
      if (query.until !== undefined) select = select.where("created_at", "<", query.until);
      if (atOrBefore !== undefined) select = select.where("created_at", "<=", atOrBefore);
      const rows = (await select.execute()).map((row) => ({
        created_at: Number(row.created_at),
        room_id: row.room_id,
        seq: Number(row.seq),
      }));
      walked += rows.length;
      let chunk = rows.filter((key) => {
        const id = keyId(key);
        if (seen.has(id)) return false;
        seen.add(id);
        return !allowed || allowed.has(key.room_id);
      });
      for (const token of others) if (chunk.length > 0) chunk = await this.withToken(token, chunk);
      for (const { prefix } of prefixes) if (chunk.length > 0) chunk = await this.withPrefix(prefix, chunk);
      if (query.authorIds && chunk.length > 0) chunk = await this.byAuthors(query.authorIds, chunk);
      found.push(...chunk);
      const last = rows.at(-1);
      if (found.length >= query.limit) return { keys: found, more: true };
      if (rows.length < chunkSize || !last) return { keys: found, more: false };
      if (walked >= MAX_POSTINGS_WALKED) return { keys: found, more: true };
      // The next chunk starts at the last instant again (ties at the edge are skipped as seen);
      // a chunk all of one instant moves past it.
      atOrBefore = rows.every((row) => row.created_at === last.created_at)
        ? last.created_at - 1
        : last.created_at;
      chunkSize = Math.min(WALK_CHUNK, chunkSize * 4);
    }
  }

  /** The keys whose message also has `token`: primary-key look-ups by the keys' instants. */
  private async withToken(token: string, keys: PostingKey[]): Promise<PostingKey[]> {
    const rows = await this.db
      .selectFrom("search_postings")
      .select(["created_at", "room_id", "seq"])
      .where("token", "=", token)
      .where("created_at", "in", [...new Set(keys.map((key) => key.created_at))])
      .execute();
    const has = new Set(
      rows.map((row) =>
        keyId({ created_at: Number(row.created_at), room_id: row.room_id, seq: Number(row.seq) }),
      ),
    );
    return keys.filter((key) => has.has(keyId(key)));
  }

  /**
   * The keys whose message has a token starting with `prefix` (a lone CJK character). The
   * messages' rows are read by (room_id, seq) and the prefix checked here: given the token range
   * in SQL, SQLite walked every token with that first character instead.
   */
  private async withPrefix(prefix: string, keys: PostingKey[]): Promise<PostingKey[]> {
    const rows = await this.db
      .selectFrom("search_postings")
      .select(["token", "room_id", "seq"])
      .where((eb) => inMessages(eb, keys))
      .execute();
    const has = new Set(
      rows
        .filter((row) => row.token.startsWith(prefix))
        .map((row) => `${row.room_id}\u0000${Number(row.seq)}`),
    );
    return keys.filter((key) => has.has(`${key.room_id}\u0000${key.seq}`));
  }

  /** The keys whose message is by one of these people (read by primary key, checked here, for the same reason). */
  private async byAuthors(authorIds: readonly string[], keys: PostingKey[]): Promise<PostingKey[]> {
    const authors = new Set(authorIds);
    const rows = await this.db
      .selectFrom("messages")
      .select(["room_id", "seq", "author_id"])
      .where((eb) => inMessages(eb, keys))
      .execute();
    const has = new Set(
      rows.filter((row) => authors.has(row.author_id)).map((row) => `${row.room_id}\u0000${Number(row.seq)}`),
    );
    return keys.filter((key) => has.has(`${key.room_id}\u0000${key.seq}`));
  }

  /** No whole token to start from (filters only, or lone CJK characters): walk the messages newest first. */
  private async keysWithoutToken(
    query: SearchCandidateQuery,
    roomsInQuery: boolean,
    limit: number,
    prefixes: ReadonlyArray<{ prefix: string }>,
  ): Promise<MessageKey[]> {
    // A few rooms: each walked newest first on its primary key, then merged; ordering every
    // message of many rooms by created_at would sort them all.
    if (roomsInQuery && query.roomIds.length <= MAX_ROOMS_WALKED_APART) {
      const perRoom = await Promise.all(
        query.roomIds.map((roomId) => this.latestInRooms(query, [roomId], limit, prefixes)),
      );
      return perRoom
        .flat()
        .sort(
          (a, b) =>
            b.created_at - a.created_at ||
            (a.room_id === b.room_id ? 0 : a.room_id < b.room_id ? 1 : -1) ||
            b.seq - a.seq,
        )
        .slice(0, limit);
    }
    return this.latestInRooms(query, roomsInQuery ? query.roomIds : undefined, limit, prefixes);
  }

  /** The newest messages meeting the filters, in these rooms (all rooms when undefined). */
  private async latestInRooms(
    query: SearchCandidateQuery,
    roomIds: readonly string[] | undefined,
    limit: number,
    prefixes: ReadonlyArray<{ prefix: string }>,
  ): Promise<PostingKey[]> {
    let select = this.db
      .selectFrom("messages as m")
      .select(["m.room_id", "m.seq", "m.created_at"])
      .limit(limit);
    if (roomIds?.length === 1)
      select = select.where("m.room_id", "=", roomIds[0] as string).orderBy("m.seq", "desc");
    else {
      if (roomIds) select = select.where("m.room_id", "in", [...roomIds]);
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
    return rows.map((row) => ({
      room_id: row.room_id,
      seq: Number(row.seq),
      created_at: Number(row.created_at),
    }));
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
        await insertPostings(trx, this.kind, [
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
