import { CompiledQuery, sql, type Transaction } from "kysely";
import { tokensOf } from "../chat/search/text-units.js";
import { compiledOnce } from "./compiled-once.js";
import type { DatabaseKind } from "./database.js";
import type { Database, SearchPostingTable } from "./schema.js";

/**
 * Rows per INSERT: four parameters each, well inside every database's limit. Only these sizes
 * are used (the rest goes in halving chunks), so the statements repeat and are prepared once
 * (SQLite's statement cache, database.ts) instead of once per batch.
 */
const POSTING_CHUNKS = [1024, 256, 64, 16, 4, 1];

interface IndexedMessage {
  room_id: string;
  seq: number;
  body: string;
  created_at: number;
}

/** One row per distinct token of the message (decision 0039). */
export function postingsOf(message: IndexedMessage): SearchPostingTable[] {
  return [...tokensOf(message.body)].map((token) => ({
    token,
    room_id: message.room_id,
    seq: message.seq,
    created_at: message.created_at,
  }));
}

/**
 * Writes the messages' postings inside the caller's transaction. A posting already there is kept:
 * the batch indexer and an edit's re-index may both write a message's postings (decision 0049).
 */
export async function insertPostings(
  trx: Transaction<Database>,
  kind: DatabaseKind,
  messages: readonly IndexedMessage[],
): Promise<void> {
  const rows = messages.flatMap(postingsOf);
  let at = 0;
  for (const chunk of POSTING_CHUNKS) {
    while (rows.length - at >= chunk) {
      const part = rows.slice(at, at + chunk);
      const parameters = part.flatMap((row) => [row.token, row.created_at, row.room_id, row.seq]);
      await trx.executeQuery(CompiledQuery.raw(insertSql(trx, kind, chunk), parameters));
      at += chunk;
    }
  }
}

/**
 * The INSERT text for `rows` postings, compiled by Kysely once per size and dialect, then reused:
 * building a query of a thousand values anew for every batch cost more CPU than the rows did.
 */
function insertSql(trx: Transaction<Database>, kind: DatabaseKind, rows: number): string {
  return compiledOnce(trx, `postings-${rows}`, () => {
    // Distinct values, in the order rows are flattened in (token, created_at, room_id, seq).
    const sample = Array.from(
      { length: rows },
      (_, i): SearchPostingTable => ({
        token: `\u0000t${i}`,
        created_at: -1 - i,
        room_id: `\u0000r${i}`,
        seq: -1_000_000 - i,
      }),
    );
    const query = trx
      .insertInto("search_postings")
      .values(sample)
      .$call((insert) =>
        kind === "mysql"
          ? insert.onDuplicateKeyUpdate({ seq: sql`seq` })
          : insert.onConflict((conflict) => conflict.doNothing()),
      )
      .compile();
    return { query, parameters: sample.flatMap((row) => [row.token, row.created_at, row.room_id, row.seq]) };
  });
}
